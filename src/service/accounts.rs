//! Signup, email verification and the first platform admin.
//!
//! The first verified signup for an email domain becomes its organization's admin; later
//! signups for that domain wait as *pending* with a join request to the admins. Counters
//! (`member_count`, `admin_count`) count verified members only, so an unverified squatter
//! never blocks the real owners of a domain.

use crate::store::Tx;

use super::{ClientMeta, codes, email_task, invitations, limit_ip, now, sessions};
use crate::error::ErrorCode;
use crate::{
    domain::{
        ids::{JoinRequestId, OrgId, UserId},
        mail::{CodeMail, Mail},
        notifications::{NotificationKind, Subject},
        org::{JoinRequest, JoinRequestStatus, Organization},
        text::{self, Email, Validator},
        user::{Language, OrgRole, User, UserStatus},
    },
    error::{AppError, AppResult},
    service::notifications,
    state::AppState,
    store::{
        StoreResult, invitations as invitations_store, jobs as queue, notifications as notifications_store, orgs,
        sessions as session_table, users,
    },
};

/// What a person submits to sign up.
#[derive(Debug, Default)]
pub struct SignupForm {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub organization_name: String,
    pub industry_sector: String,
    pub company_size: String,
    pub city: String,
    pub country: Option<String>,
    pub title: Option<String>,
    pub invitation_token: Option<String>,
    pub language: Option<Language>,
}

/// The account (and organization, when the signup created or joined one) just made.
#[derive(Debug)]
pub struct SignupResult {
    pub user: User,
    pub organization: Option<Organization>,
}

/// Validates the form into a user record (without id/hash) and the organization fields.
fn validate(state: &AppState, f: &SignupForm) -> AppResult<(Email, User, Organization)> {
    let mut v = Validator::default();
    let email = v.check("email", Email::parse(&f.email));
    let personal = email.as_ref().is_some_and(|e| {
        let domains = &state.config.auth.personal_domains;
        domains.iter().any(|d| d.eq_ignore_ascii_case(e.domain()))
    });
    if personal {
        v.fail("email", "must be a company address; personal email providers are not accepted");
    }
    if let Err(why) = text::password(&f.password, email.as_ref().map(Email::as_str), |p| state.hasher.is_common(p)) {
        v.fail("password", why);
    }
    let first_name = v.check("first_name", text::person_name(&f.first_name));
    let last_name = v.check("last_name", text::person_name(&f.last_name));
    let org_name = v.check("organization_name", text::line(&f.organization_name, 2, 100));
    let industry = v.check("industry_sector", text::line(&f.industry_sector, 1, 100));
    let size = v.check("company_size", text::line(&f.company_size, 1, 50));
    let city = v.check("city", text::line(&f.city, 1, 100));
    let country = v.check("country", text::line(f.country.as_deref().unwrap_or("Saudi Arabia"), 1, 100));
    let title = v.check("title", text::line(f.title.as_deref().unwrap_or_default(), 0, 100));
    v.finish().map_err(AppError::validation)?;
    let (
        Some(email),
        Some(first_name),
        Some(last_name),
        Some(org_name),
        Some(industry),
        Some(size),
        Some(city),
        Some(country),
        Some(title),
    ) = (email, first_name, last_name, org_name, industry, size, city, country, title)
    else {
        return Err(AppError::field("body", "is incomplete"));
    };
    let t = now();
    let user = User {
        id: UserId::new(),
        email: email.as_str().to_owned(),
        password_hash: String::new(),
        email_verified: false,
        status: UserStatus::Active,
        platform_admin: false,
        org_id: None,
        org_role: None,
        first_name,
        last_name,
        title,
        location: city.clone(),
        bio: String::new(),
        expertise_tags: Vec::new(),
        language: f.language.unwrap_or_default(),
        created_at: t,
        updated_at: t,
        last_login_at: None,
        avatar: None,
    };
    let org = Organization {
        id: OrgId::new(),
        name: org_name,
        domain: email.domain().to_owned(),
        industry,
        size,
        city,
        country,
        description: String::new(),
        website: String::new(),
        verified: false,
        member_count: 0,
        admin_count: 0,
        created_at: t,
        updated_at: t,
        logo: None,
    };
    Ok((email, user, org))
}

/// `POST /auth/signup`: creates the account (and organization) and emails a code.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn signup(state: &AppState, meta: &ClientMeta, form: SignupForm) -> AppResult<SignupResult> {
    limit_ip(state, meta)?;
    let (email, mut user, new_org) = validate(state, &form)?;
    user.password_hash = state.hasher.hash(form.password).await?;
    let invitation = form.invitation_token.filter(|t| !t.trim().is_empty());
    let st = state.clone();
    let result = state
        .store
        .write(move |tx| -> AppResult<_> {
            let mut replaced = None;
            if let Some(existing) = users::by_email(tx, email.as_str())? {
                if existing.email_verified || existing.status == UserStatus::Deleted {
                    return Err(AppError::conflict(ErrorCode::EmailTaken, "An account with this email already exists"));
                }
                // An unverified earlier attempt is replaced: same person retrying, or a typo.
                users::remove(tx, &existing)?;
                replaced = Some(existing);
            }
            let organization = match invitation.as_deref() {
                Some(token) => Some(invitations::redeem(tx, token, &mut user, replaced.as_ref())?),
                None => match orgs::by_domain(tx, email.domain())? {
                    Some(org) if org.admin_count > 0 => {
                        user.status = UserStatus::PendingApproval;
                        user.org_id = Some(org.id);
                        None
                    }
                    Some(org) => {
                        user.org_id = Some(org.id);
                        user.org_role = Some(OrgRole::Admin);
                        Some(org)
                    }
                    None => {
                        orgs::put(tx, &new_org)?;
                        user.org_id = Some(new_org.id);
                        user.org_role = Some(OrgRole::Admin);
                        Some(new_org)
                    }
                },
            };
            users::insert(tx, &user)?;
            let key = verify_key(email.as_str());
            codes::send(tx, &st, &key, &user, &user.email, CodeMail::VerifyEmail, String::new())?;
            Ok(SignupResult { user, organization })
        })
        .await?;
    // The first code counts towards the resend cooldown.
    let _ = codes::cooldown(state, &verify_key(&result.user.email));
    state.jobs.wake();
    tracing::info!(user = %result.user.id, pending = result.organization.is_none(), "account created");
    Ok(result)
}

fn verify_key(email: &str) -> String {
    format!("verify:{email}")
}

/// Outcome of a successful email verification.
#[derive(Debug)]
pub enum Verified {
    /// The account is active: a session was issued, and this device is now trusted.
    SignedIn(Box<sessions::IssuedSession>, String),
    /// The organization's admins must approve the account first.
    PendingApproval,
}

/// `POST /auth/verify-email`: checks the code, activates the account, and signs in.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn verify_email(state: &AppState, meta: &ClientMeta, email: &str, code: &str) -> AppResult<Verified> {
    limit_ip(state, meta)?;
    let email = Email::parse(email).map_err(|why| AppError::field("email", why))?;
    let code = text::one_time_code(code).map_err(|why| AppError::field("code", why))?;
    let st = state.clone();
    let meta = meta.clone();
    let (outcome, told) = state
        .store
        .write(move |tx| -> AppResult<_> {
            let check = codes::check(tx, &st, &verify_key(email.as_str()), &code)?;
            let codes::CodeCheck::Valid(record) = check else {
                return Ok((Err(check), Vec::new()));
            };
            let Some(mut user) = users::get(tx, record.user_id)?.filter(|u| u.email == email.as_str()) else {
                return Ok((Err(codes::CodeCheck::Missing), Vec::new()));
            };
            user.email_verified = true;
            user.updated_at = now();
            let told = activate_membership(tx, &st, &mut user)?;
            users::update(tx, &user)?;
            if !user.can_sign_in() {
                return Ok((Ok(None), told));
            }
            let (session, refresh) = sessions::new_session(user.id, &meta);
            session_table::put(tx, &session)?;
            let device = super::login::trust_device(tx, &st, user.id)?;
            Ok((Ok(Some((session, refresh, user, device))), told))
        })
        .await?;
    notifications::publish(state, &told);
    state.jobs.wake();
    match outcome {
        Err(check) => Err(codes::error(&check, state.config.auth.code_resend_cooldown_secs)),
        Ok(None) => Ok(Verified::PendingApproval),
        Ok(Some((session, refresh, user, device))) => {
            Ok(Verified::SignedIn(Box::new(sessions::finish_issue(state, &session, refresh, user)?), device))
        }
    }
}

/// On verification: a domain's first admin is counted in, or a pending signup asks the
/// organization's admins to approve it.
fn activate_membership(tx: &Tx, state: &AppState, user: &mut User) -> StoreResult<Vec<notifications::Change>> {
    let Some(mut org) = user.org_id.map(|id| orgs::get(tx, id)).transpose()?.flatten() else {
        return Ok(Vec::new());
    };
    let mut told = Vec::new();
    match (user.status, user.org_role) {
        (UserStatus::Active, Some(role)) => {
            org.member_count += 1;
            if role == OrgRole::Admin {
                org.admin_count += 1;
            }
            org.updated_at = now();
            orgs::put(tx, &org)?;
            orgs::add_member(tx, org.id, user.id)?;
            // Joined through an invitation: its sender hears of it.
            let invited =
                invitations_store::of_org(tx, org.id, 10_000)?.into_iter().find(|i| i.used_by == Some(user.id));
            if let Some(inv) = invited {
                let kind = NotificationKind::InvitationAccepted;
                told.extend(notifications::notify(
                    tx,
                    inv.invited_by,
                    kind,
                    Subject::Organization(org.id),
                    None,
                    user.id,
                )?);
            }
            Ok(told)
        }
        (UserStatus::PendingApproval, _) => {
            let req = JoinRequest {
                id: JoinRequestId::new(),
                org_id: org.id,
                user_id: user.id,
                status: JoinRequestStatus::Pending,
                created_at: now(),
            };
            orgs::put_join_request(tx, &req)?;
            let link = format!("{}/organization?tab=requests", state.config.public_url);
            for admin in orgs::member_ids(tx, org.id, 10_000)? {
                let Some(a) = users::get(tx, admin)?.filter(|a| a.org_role == Some(OrgRole::Admin) && a.can_sign_in())
                else {
                    continue;
                };
                let subject = Subject::Organization(org.id);
                told.extend(notifications::notify(tx, a.id, NotificationKind::JoinRequest, subject, None, user.id)?);
                if !notifications_store::settings(tx, a.id)?.channels(NotificationKind::JoinRequest).email {
                    continue;
                }
                let mail = Mail::JoinRequest {
                    name: a.first_name.clone(),
                    requester: user.display_name(),
                    organization: org.name.clone(),
                    link: link.clone(),
                };
                queue::enqueue(tx, &email_task(&a, &a.email, mail).into_job())?;
            }
            Ok(told)
        }
        _ => Ok(told),
    }
}

/// `POST /auth/verify-email/resend`: always accepted; a new code goes out only to an
/// existing unverified account, at most once per cooldown (counted for every address, so
/// the answer never reveals whether an account exists).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resend_verification(state: &AppState, meta: &ClientMeta, email: &str) -> AppResult<()> {
    limit_ip(state, meta)?;
    let email = Email::parse(email).map_err(|why| AppError::field("email", why))?;
    let key = verify_key(email.as_str());
    codes::cooldown(state, &key)?;
    let st = state.clone();
    state
        .store
        .write(move |tx| -> AppResult<_> {
            if let Some(user) =
                users::by_email(tx, email.as_str())?.filter(|u| !u.email_verified && u.status != UserStatus::Deleted)
            {
                codes::send(tx, &st, &key, &user, &user.email, CodeMail::VerifyEmail, String::new())?;
            }
            Ok(())
        })
        .await?;
    state.jobs.wake();
    Ok(())
}

/// `create-admin`: creates a verified platform admin with `password`, or promotes the
/// existing account with that email. Returns the user id and whether it was created.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_admin(state: &AppState, email: &str, password: String) -> AppResult<(UserId, bool)> {
    let email = Email::parse(email).map_err(|why| AppError::field("email", why))?;
    text::password(&password, Some(email.as_str()), |p| state.hasher.is_common(p))
        .map_err(|why| AppError::field("password", why))?;
    let hash = state.hasher.hash(password).await?;
    state
        .store
        .write(move |tx| -> AppResult<_> {
            if let Some(mut user) = users::by_email(tx, email.as_str())? {
                user.platform_admin = true;
                user.email_verified = true;
                user.updated_at = now();
                users::update(tx, &user)?;
                return Ok((user.id, false));
            }
            let t = now();
            let user = User {
                id: UserId::new(),
                email: email.as_str().to_owned(),
                password_hash: hash,
                email_verified: true,
                status: UserStatus::Active,
                platform_admin: true,
                org_id: None,
                org_role: None,
                first_name: "Platform".into(),
                last_name: "Admin".into(),
                title: String::new(),
                location: String::new(),
                bio: String::new(),
                expertise_tags: Vec::new(),
                language: Language::En,
                created_at: t,
                updated_at: t,
                last_login_at: None,
                avatar: None,
            };
            users::insert(tx, &user)?;
            Ok((user.id, true))
        })
        .await
}
