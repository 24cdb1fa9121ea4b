//! The organizations of a data set and their members: `PER_ORG` active, verified people
//! each (the first the admin), all with the one shared password hash.

use super::{PER_ORG, email, fixtures, text::Text};
use crate::{
    domain::{
        ids::{OrgId, UserId},
        user::User,
    },
    service::{now, progress::Progress},
    store::{Store, StoreResult, orgs, users},
};

/// Organizations (with their members) per write transaction.
const ORGS_PER_TX: usize = 200;
/// Where the organizations are, round robin.
pub(super) const CITIES: [&str; 6] = ["Riyadh", "Jeddah", "Dammam", "Jubail", "Yanbu", "Khobar"];

/// The people: organizations and their members, by user index.
#[derive(Debug)]
pub struct People {
    pub ids: Vec<UserId>,
    /// Each user's organization (user `u` is in organization `u / PER_ORG`).
    pub orgs: Vec<OrgId>,
    pub org_names: Vec<String>,
}

/// Writes `n_orgs` organizations of `PER_ORG` active, verified members each.
pub fn people(store: &Store, n_orgs: usize, hash: &str, text: &Text, progress: &dyn Progress) -> StoreResult<People> {
    let now = now();
    progress.stage("people", (n_orgs * PER_ORG) as u64);
    let mut out = People { ids: Vec::new(), orgs: Vec::new(), org_names: Vec::new() };
    for start in (0..n_orgs).step_by(ORGS_PER_TX) {
        let batch = store.write_blocking(|tx| {
            let mut batch = Vec::new();
            for j in start..(start + ORGS_PER_TX).min(n_orgs) {
                let (city, name) = (CITIES[j % CITIES.len()], format!("Gulf Fabrication Works {j}"));
                let org = fixtures::organization(
                    name,
                    format!("org{j}.example.com"),
                    fixtures::industry(j),
                    city,
                    PER_ORG,
                    now,
                );
                orgs::put(tx, &org)?;
                for k in 0..PER_ORG {
                    let u = j * PER_ORG + k;
                    let (first_name, last_name) = (text.name)(u);
                    let user =
                        User { first_name, last_name, ..fixtures::user(email(u), Some((&org, k == 0)), hash, now) };
                    users::insert(tx, &user)?;
                    orgs::add_member(tx, org.id, user.id)?;
                    batch.push((user.id, org.id, org.name.clone()));
                }
            }
            Ok(batch)
        })?;
        progress.advance(batch.len() as u64);
        for (id, org, name) in batch {
            out.ids.push(id);
            out.orgs.push(org);
            out.org_names.push(name);
        }
    }
    Ok(out)
}
