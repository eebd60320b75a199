//! Account pages: sign up, sign in, sign out, the account page (password change, API tokens) and
//! password reset with a one-time token an admin prints (`parallax admin reset-password`).
//!
//! Signed-out forms carry a token that must match a cookie set with the form (a request forged from
//! another site can set neither); signed-in forms carry their session's token. Every form has a
//! field people never see and bots fill in.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use parallax_store::{Role, User};

use super::{
    FORM_COOKIE, PASSWORD_CHECKS_PER_USER, SESSION_COOKIE, SESSION_DAYS, SIGN_IN_PER_IP, SIGN_IN_PER_NAME,
    SIGN_UP_PER_IP, Viewer, constant_time_eq, cookie, foreign_form, hash_password, ip_key, name_problem,
    new_token, password_problem, password_work, token_hash, verify_against_nothing, verify_password,
    within_limits,
};
use crate::error::PageError;
use crate::pages::{Meta, Site};
use crate::{AppState, read};

/// Where to go after signing in: a path on this site, never another site.
fn local_path(next: Option<&str>) -> String {
    match next {
        // Whitespace and control characters are refused too: a browser drops a tab or newline from
        // "/\t/evil.example" and goes to another site.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The attributes a cookie is set with: `Secure` unless the site is plain HTTP somewhere other than
/// this machine (where a secure cookie would never come back).
fn cookie_attributes(site: &Site) -> &'static str {
    let host = site.authority().rsplit_once(':').map_or(site.authority(), |(h, _)| h);
    let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    if site.base.starts_with("https://") || local {
        "Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "Path=/; HttpOnly; SameSite=Lax"
    }
}

fn set_cookie(response: &mut Response, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The signed-out form token: the one the browser holds, or a new one to set with the form.
fn form_token(headers: &HeaderMap) -> Result<(String, bool), PageError> {
    match cookie(headers, FORM_COOKIE) {
        Some(token) if token.len() == 64 => Ok((token.to_owned(), false)),
        _ => Ok((new_token()?, true)),
    }
}

/// A signed-out form's token must match its cookie.
fn check_form_token(headers: &HeaderMap, given: &str) -> Result<(), PageError> {
    let matches = cookie(headers, FORM_COOKIE)
        .is_some_and(|expected| !given.is_empty() && constant_time_eq(expected.as_bytes(), given.as_bytes()));
    if matches { Ok(()) } else { Err(foreign_form()) }
}

/// Renders a signed-out form page, setting its token cookie when new.
fn form_page(
    template: &impl Template,
    site: &Site,
    token: &str,
    new: bool,
    status: StatusCode,
) -> Result<Response, PageError> {
    let mut response = (status, Html(template.render()?)).into_response();
    // The page holds this visitor's form token: it must never be kept and shown to another.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if new {
        set_cookie(
            &mut response,
            format!("{FORM_COOKIE}={token}; {}; Max-Age=86400", cookie_attributes(site)),
        );
    }
    Ok(response)
}

/// Opens a session for the reader and answers with its cookie and a redirect.
async fn start_session(
    state: &AppState,
    site: &Site,
    user: &User,
    next: &str,
) -> Result<Response, PageError> {
    let token = new_token()?;
    let csrf = new_token()?;
    let expires = Utc::now() + chrono::Duration::days(SESSION_DAYS);
    let (hash, id) = (token_hash(&token), user.id);
    read(state, move |s| s.open_session(id, &hash, &csrf, expires)).await?;
    let mut response = Redirect::to(next).into_response();
    let max_age = SESSION_DAYS * 86_400;
    set_cookie(
        &mut response,
        format!("{SESSION_COOKIE}={token}; {}; Max-Age={max_age}", cookie_attributes(site)),
    );
    Ok(response)
}

/// `?next=` on sign-in and sign-up links.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct NextParam {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    meta: Meta,
    signing_up: bool,
    token: String,
    name: String,
    next: String,
    error: String,
}

impl SignInPage {
    fn new(site: &Site, signing_up: bool, token: String, next: &str) -> Self {
        let path = if signing_up { "/signup" } else { "/signin" };
        SignInPage {
            meta: Meta::page(site, path),
            signing_up,
            token,
            name: String::new(),
            next: next.to_owned(),
            error: String::new(),
        }
    }
}

pub(crate) async fn sign_in_form(
    site: Site,
    headers: HeaderMap,
    Query(q): Query<NextParam>,
) -> Result<Response, PageError> {
    let (token, new) = form_token(&headers)?;
    let page = SignInPage::new(&site, false, token.clone(), &local_path(q.next.as_deref()));
    form_page(&page, &site, &token, new, StatusCode::OK)
}

pub(crate) async fn sign_up_form(
    site: Site,
    headers: HeaderMap,
    Query(q): Query<NextParam>,
) -> Result<Response, PageError> {
    let (token, new) = form_token(&headers)?;
    let page = SignInPage::new(&site, true, token.clone(), &local_path(q.next.as_deref()));
    form_page(&page, &site, &token, new, StatusCode::OK)
}

/// The sign-in and sign-up forms as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct AccountForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
    /// Hidden from people; a bot filling every field fills it.
    #[serde(default)]
    website: String,
    #[serde(default)]
    next: String,
}

/// Answers a sign-in or sign-up form again with what went wrong.
fn refused(
    site: &Site,
    form: &AccountForm,
    signing_up: bool,
    status: StatusCode,
    error: &str,
) -> Result<Response, PageError> {
    let mut page = SignInPage::new(site, signing_up, form.token.clone(), &local_path(Some(&form.next)));
    page.name = form.name.chars().take(64).collect();
    page.error = error.to_owned();
    form_page(&page, site, &form.token, false, status)
}

pub(crate) async fn sign_up(
    State(state): State<AppState>,
    site: Site,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<AccountForm>,
) -> Result<Response, PageError> {
    check_form_token(&headers, &form.token)?;
    within_limits(&state, &[(SIGN_UP_PER_IP, ip_key(viewer.ip))]).await?;
    if !form.website.is_empty() {
        return refused(&site, &form, true, StatusCode::BAD_REQUEST, "This form was filled in by a program.");
    }
    let name = form.name.trim().to_owned();
    if let Some(problem) = name_problem(&name).or_else(|| password_problem(&form.password, &name)) {
        return refused(&site, &form, true, StatusCode::BAD_REQUEST, &problem);
    }
    if form.password != form.again {
        return refused(&site, &form, true, StatusCode::BAD_REQUEST, "The two passwords differ.");
    }
    let password = form.password.clone();
    let hash = password_work(move || hash_password(&password)).await??;
    let key = name.clone();
    let Some(user) = read(&state, move |s| s.create_user(&key, &hash, Role::Reader)).await? else {
        return refused(&site, &form, true, StatusCode::CONFLICT, "That name is taken.");
    };
    start_session(&state, &site, &user, &local_path(Some(&form.next))).await
}

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    site: Site,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<AccountForm>,
) -> Result<Response, PageError> {
    check_form_token(&headers, &form.token)?;
    let name = form.name.trim().to_owned();
    // A name no account can have is refused before it is counted: nothing long is kept for it.
    if name.is_empty() || name.chars().count() > 32 {
        return refused(&site, &form, false, StatusCode::UNAUTHORIZED, "The name or the password is wrong.");
    }
    // Guesses at one name count per address, so that nobody can lock a reader out by failing to
    // sign in as them from elsewhere; all guesses from one address count together as well.
    let ip = ip_key(viewer.ip);
    let per_name = format!("{}@{ip}", name.to_lowercase());
    within_limits(&state, &[(SIGN_IN_PER_IP, ip), (SIGN_IN_PER_NAME, per_name)]).await?;
    if !form.website.is_empty() || form.password.len() > super::MAX_PASSWORD_BYTES {
        return refused(&site, &form, false, StatusCode::UNAUTHORIZED, "The name or the password is wrong.");
    }
    let key = name.clone();
    let found = read(&state, move |s| s.credentials(&key)).await?;
    let password = form.password.clone();
    // An unknown name costs one check as a wrong password does, so timing tells no names apart.
    let (user, matches) = match found {
        Some(c) => {
            let hash = c.password_hash;
            (Some(c.user), password_work(move || verify_password(&password, &hash)).await?)
        }
        None => (None, password_work(move || verify_against_nothing(&password)).await.map(|()| false)?),
    };
    let Some(user) = user.filter(|_| matches) else {
        return refused(&site, &form, false, StatusCode::UNAUTHORIZED, "The name or the password is wrong.");
    };
    if let Some(ban) = &user.banned {
        let message = format!("This account is banned: {}", ban.reason);
        return refused(&site, &form, false, StatusCode::FORBIDDEN, &message);
    }
    start_session(&state, &site, &user, &local_path(Some(&form.next))).await
}

/// A signed-in form's token.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn sign_out(
    State(state): State<AppState>,
    site: Site,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    if let Some(hash) = viewer.session_hash.clone() {
        if viewer.session.is_some() && !viewer.csrf_matches(&form.csrf) {
            return Err(foreign_form());
        }
        read(&state, move |s| s.close_session(&hash)).await?;
    }
    let mut response = Redirect::to("/").into_response();
    set_cookie(&mut response, format!("{SESSION_COOKIE}=; {}; Max-Age=0", cookie_attributes(&site)));
    Ok(response)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    meta: Meta,
    name: String,
    role: &'static str,
    since: String,
    csrf: String,
    message: String,
    error: String,
    /// A new API token, shown once.
    api_token: String,
}

fn account_page(site: &Site, viewer: &Viewer, user: &User) -> AccountPage {
    AccountPage {
        meta: Meta::page(site, "/account"),
        name: user.name.clone(),
        role: user.role.as_str(),
        since: user.created_at.format("%-d %b %Y").to_string(),
        csrf: viewer.csrf().to_owned(),
        message: String::new(),
        error: String::new(),
        api_token: String::new(),
    }
}

pub(crate) async fn account(site: Site, viewer: Viewer) -> Result<Response, PageError> {
    let Some(user) = viewer.user() else { return Ok(Redirect::to("/signin?next=/account").into_response()) };
    Ok(Html(account_page(&site, &viewer, user).render()?).into_response())
}

/// The password-change form.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    site: Site,
    viewer: Viewer,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let Some((user, matches)) = confirmed_reader(&state, &viewer, &form.csrf, &form.current).await? else {
        return Ok(Redirect::to("/signin?next=/account").into_response());
    };
    let mut page = account_page(&site, &viewer, &user);
    if !matches {
        page.error = "The current password is wrong.".to_owned();
        return Ok((StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response());
    }
    if let Some(problem) = password_problem(&form.password, &user.name) {
        page.error = problem;
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    }
    if form.password != form.again {
        page.error = "The two new passwords differ.".to_owned();
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    }
    let password = form.password.clone();
    let hash = password_work(move || hash_password(&password)).await??;
    let id = user.id;
    // Every other session (a stolen cookie among them) ends with the old password.
    read(&state, move |s| {
        s.set_password(id, &hash)?;
        s.close_sessions(id)?;
        s.revoke_api_tokens(id)
    })
    .await?;
    let mut response = start_session(&state, &site, &user, "/account?changed=1").await?;
    *response.status_mut() = StatusCode::SEE_OTHER;
    Ok(response)
}

/// The signed-in reader an account form acts for, and whether the password it carries is theirs:
/// the session and the form's token checked, and the reader's password checks counted.
async fn confirmed_reader(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    password: &str,
) -> Result<Option<(User, bool)>, PageError> {
    let Some(user) = viewer.user().cloned() else { return Ok(None) };
    if !viewer.csrf_matches(csrf) {
        return Err(foreign_form());
    }
    within_limits(state, &[(PASSWORD_CHECKS_PER_USER, user.id.to_string())]).await?;
    if password.len() > super::MAX_PASSWORD_BYTES {
        return Ok(Some((user, false)));
    }
    let name = user.name.clone();
    let stored =
        read(state, move |s| s.credentials(&name)).await?.map(|c| c.password_hash).unwrap_or_default();
    let given = password.to_owned();
    let matches = password_work(move || verify_password(&given, &stored)).await?;
    Ok(Some((user, matches)))
}

/// The API-token form: the password again, since a token outlives the session that asks for it.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
}

pub(crate) async fn new_api_token(
    State(state): State<AppState>,
    site: Site,
    viewer: Viewer,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let Some((user, matches)) = confirmed_reader(&state, &viewer, &form.csrf, &form.current).await? else {
        return Ok(Redirect::to("/signin?next=/account").into_response());
    };
    if !matches {
        let mut page = account_page(&site, &viewer, &user);
        page.error = "The password is wrong: a token is made only with it.".to_owned();
        return Ok((StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response());
    }
    let token = new_token()?;
    let (hash, id) = (token_hash(&token), user.id);
    read(&state, move |s| s.add_api_token(id, &hash)).await?;
    let mut page = account_page(&site, &viewer, &user);
    page.api_token = token;
    page.message = "Keep this token: it is shown only once.".to_owned();
    let mut response = Html(page.render()?).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    meta: Meta,
    token: String,
    form_token: String,
    error: String,
    done: bool,
}

/// `?token=` of a reset link.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ResetParam {
    token: Option<String>,
}

pub(crate) async fn reset_form(
    site: Site,
    headers: HeaderMap,
    Query(q): Query<ResetParam>,
) -> Result<Response, PageError> {
    let (form_token, new) = form_token(&headers)?;
    let token: String =
        q.token.unwrap_or_default().chars().filter(char::is_ascii_hexdigit).take(64).collect();
    let page = ResetPage {
        meta: Meta::page(&site, "/reset"),
        token,
        form_token: form_token.clone(),
        error: String::new(),
        done: false,
    };
    let mut response = form_page(&page, &site, &form_token, new, StatusCode::OK)?;
    // The token is a secret: the page must not be kept or its address sent on.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The reset form as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

pub(crate) async fn reset(
    State(state): State<AppState>,
    site: Site,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Result<Response, PageError> {
    check_form_token(&headers, &form.form_token)?;
    within_limits(&state, &[(SIGN_IN_PER_IP, ip_key(viewer.ip))]).await?;
    let mut page = ResetPage {
        meta: Meta::page(&site, "/reset"),
        token: form.token.chars().filter(char::is_ascii_hexdigit).take(64).collect(),
        form_token: form.form_token.clone(),
        error: String::new(),
        done: false,
    };
    let problem = password_problem(&form.password, "")
        .or_else(|| (form.password != form.again).then(|| "The two passwords differ.".to_owned()));
    if let Some(problem) = problem {
        page.error = problem;
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    }
    let password = form.password.clone();
    let hash = password_work(move || hash_password(&password)).await??;
    let token = token_hash(&page.token);
    let used = read(&state, move |s| s.use_reset_token(&token, &hash)).await?;
    if used.is_none() {
        page.error = "This reset link is unknown, used or expired. Ask an admin for a new one.".to_owned();
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    }
    page.done = true;
    page.token.clear();
    Ok(Html(page.render()?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_signing_in() {
        assert_eq!(local_path(Some("/story/3")), "/story/3");
        for outside in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "/\t/evil.example",
            "/\n/x",
        ] {
            assert_eq!(local_path(Some(outside)), "/", "{outside}");
        }
        assert_eq!(local_path(None), "/");
    }
}
