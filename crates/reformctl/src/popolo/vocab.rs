//! The words the export writes and the import reads: a seat's role as Popolo's `role` (the
//! Vietnamese title) beside reformlog's code, and a person's `sort_name`.

use reformlog::Role;

/// The `reformlog_role` of a membership that holds a unit's post rather than a seat.
pub(crate) const POST_HOLDER: &str = "post_holder";

/// Every seat role: its code, its Vietnamese title, and other words a file may use for it.
const ROLES: [(Role, &str, &str, &[&str]); 8] = [
    (
        Role::Head,
        "head",
        "Trưởng ban",
        &["chair", "chairman", "chairperson"],
    ),
    (
        Role::StandingDeputyHead,
        "standing_deputy_head",
        "Phó Trưởng ban thường trực",
        &["standing deputy head", "standing vice chair"],
    ),
    (
        Role::DeputyHead,
        "deputy_head",
        "Phó Trưởng ban",
        &["deputy head", "deputy chair", "vice chair", "vice-chair"],
    ),
    (
        Role::Member,
        "member",
        "Thành viên",
        &["ủy viên", "uỷ viên"],
    ),
    (
        Role::GroupLeader,
        "group_leader",
        "Tổ trưởng",
        &["group leader"],
    ),
    (
        Role::DeputyGroupLeader,
        "deputy_group_leader",
        "Tổ phó",
        &["deputy group leader"],
    ),
    (
        Role::GroupMember,
        "group_member",
        "Tổ viên",
        &["group member"],
    ),
    (Role::Secretary, "secretary", "Thư ký", &[]),
];

/// A role's code (`head`): its serde name, so a role this table does not list yet is written
/// as itself, never as another role.
pub(crate) fn role_code(role: Role) -> String {
    crate::answer::wire(&role)
}

/// A role in words (`Trưởng ban`); a role this table does not list yet is written as its code,
/// which reads back as the same role, never as a member.
pub(crate) fn role_words(role: Role) -> String {
    ROLES
        .iter()
        .find(|r| r.0 == role)
        .map_or_else(|| role_code(role), |r| r.2.to_string())
}

/// The role a code, a title or another listed word names, compared without case or marks.
pub(crate) fn role_of(text: &str) -> Option<Role> {
    let folded = reformlog::fold(text.trim());
    ROLES
        .iter()
        .find(|(_, code, words, others)| {
            *code == text.trim()
                || reformlog::fold(words) == folded
                || others.iter().any(|o| reformlog::fold(o) == folded)
        })
        .map(|r| r.0)
}

/// The name as a Vietnamese list sorts it: the given name, which is the last word, first,
/// then the family and middle names in their order ("Dũng Nguyễn Huy"). A name whose last
/// word has no letter (a placeholder such as "Thành viên 17") sorts as it is written.
pub(crate) fn sort_name(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        Some((given, rest)) if !rest.is_empty() && given.chars().any(char::is_alphabetic) => {
            format!("{given} {}", rest.join(" "))
        }
        _ => words.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_as_codes_titles_or_other_words_and_write_both_ways() {
        for (role, code, words, _) in ROLES {
            assert_eq!(role_of(code), Some(role));
            assert_eq!(role_of(words), Some(role));
            assert_eq!(role_of(&words.to_uppercase()), Some(role));
            // The code written is the role's serde name, which reformlog's answers use.
            assert_eq!(role_code(role), code);
            assert_eq!(role_code(role), crate::answer::wire(&role));
            assert_eq!(role_words(role), words);
        }
        assert_eq!(role_of("Phó trưởng ban"), Some(Role::DeputyHead));
        assert_eq!(role_of("Chair"), Some(Role::Head));
        assert_eq!(role_of("Ủy viên"), Some(Role::Member));
        assert_eq!(role_of("Chánh Văn phòng"), None);
    }

    #[test]
    fn the_given_name_sorts_first_and_placeholders_stay_as_written() {
        assert_eq!(sort_name("Nguyễn Huy Dũng"), "Dũng Nguyễn Huy");
        assert_eq!(sort_name("Đỗ Công Anh"), "Anh Đỗ Công");
        assert_eq!(sort_name("Thành viên 17"), "Thành viên 17");
        assert_eq!(sort_name("Dũng"), "Dũng");
    }
}
