//! `Overlay`: the views of a source with some entities replaced by scratch versions, so each
//! event of a command is checked on the state the earlier ones leave.

use crate::event::Event;
use crate::ids::EntityKey;
use crate::source::{ViewRef, Views};
use crate::view::{evolve, EntityView};
use std::collections::HashMap;

/// Views of a base with some entities replaced by scratch versions.
pub(super) struct Overlay<'a> {
    base: &'a dyn Views,
    pub(super) changed: HashMap<EntityKey, Option<EntityView>>,
}

impl<'a> Overlay<'a> {
    pub(super) fn new(base: &'a dyn Views) -> Self {
        Self {
            base,
            changed: HashMap::new(),
        }
    }

    pub(super) fn evolve(&mut self, event: &Event) {
        let key = event.entity();
        let current = match self.changed.remove(&key) {
            Some(v) => v,
            None => self.base.view(&key).map(ViewRef::into_owned),
        };
        self.changed.insert(key, evolve(current, event));
    }
}

impl Views for Overlay<'_> {
    fn view(&self, key: &EntityKey) -> Option<ViewRef<'_>> {
        match self.changed.get(key) {
            Some(v) => v.as_ref().map(ViewRef::Borrowed),
            None => self.base.view(key),
        }
    }
}
