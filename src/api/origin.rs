//! Same-origin requests: a page served by this server (Swagger UI at `/docs`) calling this
//! server. Browsers send `Origin` on such writes, which CORS would refuse unless the
//! server's own address were listed in `cors_origins`; it is always allowed instead.

use poem::Request;

/// Marks a request whose `Origin` is this server's own address.
#[derive(Clone, Copy, Debug)]
pub struct SameOrigin;

/// Whether `req` comes from a page of this server: its `Origin` names the host the request
/// was sent to (`Host`), whatever the scheme (a TLS proxy may sit in between).
pub fn is_same_origin(req: &Request) -> bool {
    let (Some(origin), Some(host)) = (req.header("origin"), req.header("host")) else { return false };
    origin.split_once("://").is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

/// Takes a same-origin request out of CORS: its `Origin` header is removed (CORS is for
/// other origins) and the request is marked, so the cookie-write check still knows it.
pub fn mark_same_origin(req: &mut Request) {
    if is_same_origin(req) {
        req.headers_mut().remove("origin");
        req.extensions_mut().insert(SameOrigin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(origin: &str, host: &str) -> Request {
        Request::builder().header("origin", origin).header("host", host).finish()
    }

    #[test]
    fn only_the_servers_own_address_is_same_origin() {
        assert!(is_same_origin(&req("http://localhost:8000", "localhost:8000")));
        assert!(is_same_origin(&req("https://p2p.example.com", "p2p.example.com")));
        assert!(!is_same_origin(&req("http://evil.example", "localhost:8000")));
        assert!(!is_same_origin(&req("http://localhost:8001", "localhost:8000")));
        assert!(!is_same_origin(&req("null", "localhost:8000")));
    }
}
