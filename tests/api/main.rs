//! One integration-test binary: every module boots the real server on port 0 with a
//! temporary data dir and talks real HTTP to it. The modules below `support` hold tests only;
//! everything they share (the app, fixtures, one helper per endpoint) is in `support/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod accounts;
mod activity;
mod asyncapi;
mod authz;
mod backups;
mod cli;
mod compression;
mod crash;
mod dashboard;
mod developer;
mod disk_full;
mod errors;
mod events;
mod forum;
mod forum_extras;
mod input_hygiene;
mod invitations;
mod layers;
mod log_secrets;
mod login;
mod media;
mod media_faults;
mod members;
mod messages;
mod messages_live;
mod metrics;
mod migrations;
mod notification_kinds;
mod notification_settings;
mod notifications;
mod openapi;
mod operations;
mod org_dashboard;
mod orgs;
mod password;
mod people;
mod persistence;
mod profile;
mod search;
mod search_index;
mod sessions;
mod smtp;
mod thumbnail_memory;
mod use_case_drafts;
mod use_case_listings;
mod use_cases;
mod watching;
mod ws;
mod ws_sessions;
