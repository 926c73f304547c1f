//! The configuration a daemon serves with: flags and environment variables (`cli`) over an
//! optional TOML file over defaults that run a local daemon safely.
//!
//! The layering is clap's (each flag names its variable) and one `toml::from_str` with
//! `deny_unknown_fields`, so a misspelt key in an office's config file is refused by name. What
//! is left here is one `or` per setting and the checks no layering crate makes (positive
//! limits, a known time zone, bare CORS origins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cli::{LogFormat, ServeArgs};
use crate::zone::Zone;

/// The data folder when neither the command line, the environment nor the config file names
/// one: `reformd-data` in the working directory.
pub(crate) const DEFAULT_DATA_DIR: &str = "reformd-data";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    bind: Option<SocketAddr>,
    demo: Option<bool>,
    anonymous_reads: Option<bool>,
    log_format: Option<LogFormat>,
    max_body_bytes: Option<usize>,
    request_timeout_secs: Option<u64>,
    cache_mb: Option<u64>,
    time_zone: Option<String>,
    max_future_days: Option<u32>,
    max_connections: Option<usize>,
    header_read_timeout_secs: Option<u64>,
    body_read_timeout_secs: Option<u64>,
    backup_dir: Option<PathBuf>,
    anchor_file: Option<PathBuf>,
    cors_origins: Option<Vec<String>>,
}

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// The data folder.
    pub data_dir: PathBuf,
    /// The listen address.
    pub bind: SocketAddr,
    /// Load the seed case at start.
    pub demo: bool,
    /// Reads of state without a token.
    pub anonymous_reads: bool,
    /// Log format.
    pub log_format: LogFormat,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Request timeout.
    pub request_timeout: Duration,
    /// sled page cache in bytes.
    pub cache_bytes: u64,
    /// Where plain dates start and end.
    pub time_zone: Zone,
    /// How many days after today a change may take effect.
    pub max_future_days: u32,
    /// Connections served at once.
    pub max_connections: usize,
    /// Time to deliver a request's headers (and the idle limit of a kept-alive connection).
    pub header_read_timeout: Duration,
    /// Time to deliver a request's body.
    pub body_read_timeout: Duration,
    /// Where online backups are written.
    pub backup_dir: PathBuf,
    /// The anchor file, if any: the head digest kept outside the store.
    pub anchor_file: Option<PathBuf>,
    /// The origins whose pages may call the API from a browser (CORS); none by default.
    pub cors_origins: Vec<String>,
}

impl ServeConfig {
    /// Defaults for a daemon on `data_dir` (used by tests and embedders).
    pub fn local(data_dir: impl AsRef<Path>) -> Self {
        Self {
            data_dir: data_dir.as_ref().to_path_buf(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            demo: false,
            anonymous_reads: false,
            log_format: LogFormat::Text,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            cache_bytes: 32 * 1024 * 1024,
            time_zone: Zone::default(),
            max_future_days: 366,
            max_connections: 512,
            header_read_timeout: Duration::from_secs(15),
            body_read_timeout: Duration::from_secs(20),
            backup_dir: data_dir.as_ref().join("backups"),
            anchor_file: None,
            cors_origins: Vec::new(),
        }
    }

    /// Resolves flags and environment over the TOML file over defaults.
    pub fn resolve(args: &ServeArgs) -> Result<Self, String> {
        let file = match &args.config {
            None => FileConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
        };
        let d = Self::local(
            args.data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
        );
        let max_body_bytes = args
            .max_body_bytes
            .or(file.max_body_bytes)
            .unwrap_or(d.max_body_bytes);
        if max_body_bytes == 0 {
            return Err("max_body_bytes must be positive".into());
        }
        let timeout = args
            .request_timeout_secs
            .or(file.request_timeout_secs)
            .unwrap_or(d.request_timeout.as_secs());
        if timeout == 0 {
            return Err("request_timeout_secs must be positive".into());
        }
        let time_zone = match args.time_zone.as_deref().or(file.time_zone.as_deref()) {
            None => d.time_zone,
            Some(name) => Zone::named(name).map_err(|e| format!("time_zone: {e}"))?,
        };
        let positive = |name: &str, v: u64| {
            if v == 0 {
                Err(format!("{name} must be positive"))
            } else {
                Ok(v)
            }
        };
        let max_connections = args
            .max_connections
            .or(file.max_connections)
            .unwrap_or(d.max_connections);
        positive("max_connections", max_connections as u64)?;
        let header_read = positive(
            "header_read_timeout_secs",
            args.header_read_timeout_secs
                .or(file.header_read_timeout_secs)
                .unwrap_or(d.header_read_timeout.as_secs()),
        )?;
        let body_read = positive(
            "body_read_timeout_secs",
            args.body_read_timeout_secs
                .or(file.body_read_timeout_secs)
                .unwrap_or(d.body_read_timeout.as_secs()),
        )?;
        let cors_origins = if args.cors_origins.is_empty() {
            file.cors_origins.unwrap_or_default()
        } else {
            args.cors_origins.clone()
        };
        for origin in &cors_origins {
            crate::cors::check_origin(origin)?;
        }
        Ok(Self {
            max_connections,
            header_read_timeout: Duration::from_secs(header_read),
            body_read_timeout: Duration::from_secs(body_read),
            time_zone,
            max_future_days: args
                .max_future_days
                .or(file.max_future_days)
                .unwrap_or(d.max_future_days),
            bind: args.bind.or(file.bind).unwrap_or(d.bind),
            demo: args.demo || file.demo.unwrap_or(false),
            anonymous_reads: args.anonymous_reads || file.anonymous_reads.unwrap_or(false),
            log_format: args.log_format.or(file.log_format).unwrap_or_default(),
            max_body_bytes,
            request_timeout: Duration::from_secs(timeout),
            cache_bytes: args
                .cache_mb
                .or(file.cache_mb)
                .map_or(d.cache_bytes, |mb| mb * 1024 * 1024),
            backup_dir: args
                .backup_dir
                .clone()
                .or(file.backup_dir)
                .unwrap_or(d.backup_dir),
            anchor_file: args.anchor_file.clone().or(file.anchor_file),
            cors_origins,
            data_dir: d.data_dir,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn flags_win_over_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reformd.toml");
        std::fs::write(
            &file,
            "bind = \"127.0.0.1:9000\"\ndemo = true\ncache_mb = 8\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(file.clone()),
            bind: Some("127.0.0.1:9100".parse().unwrap()),
            ..ServeArgs::default()
        };
        let c = ServeConfig::resolve(&args).unwrap();
        assert_eq!(c.bind.port(), 9100);
        assert!(c.demo);
        assert_eq!(c.cache_bytes, 8 * 1024 * 1024);
        assert_eq!(c.data_dir, PathBuf::from("reformd-data"));

        std::fs::write(&file, "colour = \"blue\"\n").unwrap();
        assert!(ServeConfig::resolve(&args).unwrap_err().contains("colour"));
    }

    #[test]
    fn cors_origins_come_from_flag_or_file_and_must_be_bare_origins() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reformd.toml");
        std::fs::write(&file, "cors_origins = [\"https://vanphong.mic.gov.vn\"]\n").unwrap();
        let from_file = ServeArgs {
            config: Some(file.clone()),
            ..ServeArgs::default()
        };
        let c = ServeConfig::resolve(&from_file).unwrap();
        assert_eq!(c.cors_origins, ["https://vanphong.mic.gov.vn"]);
        let flag = ServeArgs {
            cors_origins: vec!["http://127.0.0.1:5173".into()],
            ..from_file
        };
        assert_eq!(
            ServeConfig::resolve(&flag).unwrap().cors_origins,
            ["http://127.0.0.1:5173"]
        );
        assert!(ServeConfig::resolve(&ServeArgs::default())
            .unwrap()
            .cors_origins
            .is_empty());
        let bad = ServeArgs {
            cors_origins: vec!["https://vanphong.mic.gov.vn/".into()],
            ..ServeArgs::default()
        };
        assert!(ServeConfig::resolve(&bad)
            .unwrap_err()
            .contains("cors origin"));
    }

    #[test]
    fn the_backup_folder_and_the_anchor_file_come_from_flag_or_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reformd.toml");
        let defaults = ServeConfig::resolve(&ServeArgs {
            data_dir: Some("office-data".into()),
            ..ServeArgs::default()
        })
        .unwrap();
        assert_eq!(defaults.backup_dir, PathBuf::from("office-data/backups"));
        assert_eq!(defaults.anchor_file, None);
        std::fs::write(
            &file,
            "backup_dir = \"/mnt/b/backups\"\nanchor_file = \"/mnt/b/reformd.anchor\"\n",
        )
        .unwrap();
        let mut args = ServeArgs {
            config: Some(file.clone()),
            ..ServeArgs::default()
        };
        let c = ServeConfig::resolve(&args).unwrap();
        assert_eq!(c.backup_dir, PathBuf::from("/mnt/b/backups"));
        assert_eq!(c.anchor_file, Some(PathBuf::from("/mnt/b/reformd.anchor")));
        args.anchor_file = Some("/mnt/c/anchor".into());
        args.backup_dir = Some("/mnt/c/backups".into());
        let c = ServeConfig::resolve(&args).unwrap();
        assert_eq!(c.backup_dir, PathBuf::from("/mnt/c/backups"));
        assert_eq!(c.anchor_file, Some(PathBuf::from("/mnt/c/anchor")));
    }

    #[test]
    fn the_time_zone_is_an_iana_name_from_flag_or_file_defaulting_to_ho_chi_minh_city() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reformd.toml");
        assert_eq!(
            ServeConfig::resolve(&ServeArgs::default())
                .unwrap()
                .time_zone
                .name(),
            "Asia/Ho_Chi_Minh"
        );
        std::fs::write(&file, "time_zone = \"Europe/Berlin\"\n").unwrap();
        let mut args = ServeArgs {
            config: Some(file.clone()),
            ..ServeArgs::default()
        };
        assert_eq!(
            ServeConfig::resolve(&args).unwrap().time_zone.name(),
            "Europe/Berlin"
        );
        args.time_zone = Some("utc".into());
        assert_eq!(ServeConfig::resolve(&args).unwrap().time_zone.name(), "UTC");
        args.time_zone = Some("Asia/Saigon City".into());
        let err = ServeConfig::resolve(&args).unwrap_err();
        assert!(err.contains("time_zone") && err.contains("IANA"), "{err}");
    }
}
