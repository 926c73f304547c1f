//! The HTTP routes, one module per resource family; handlers stay thin.

pub(crate) mod audit;
pub(crate) mod backup;
pub(crate) mod domain;
pub(crate) mod events;
pub(crate) mod health;
pub(crate) mod integrity;
pub(crate) mod questions;
pub(crate) mod reminders;
pub(crate) mod tasks;
pub(crate) mod writes;
