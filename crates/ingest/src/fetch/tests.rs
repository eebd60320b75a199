//! The fetcher against a real HTTP server on loopback, faults included.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use super::*;

/// A server on loopback answering by path, each connection on its own thread, until the test ends.
fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    address
}

fn answer(mut stream: TcpStream) {
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        request.push(byte[0]);
    }
    let request = String::from_utf8_lossy(&request).to_string();
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let header = |name: &str| {
        request.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    let respond = |stream: &mut TcpStream, head: &str, body: &[u8]| {
        let _ = stream.write_all(
            format!("{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes(),
        );
        let _ = stream.write_all(body);
    };
    match path.as_str() {
        "/feed" if header("If-None-Match").as_deref() == Some("\"v1\"") => {
            respond(&mut stream, "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"", b"")
        }
        "/feed" => respond(
            &mut stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=ISO-8859-1\r\nETag: \"v1\"",
            b"<rss/>",
        ),
        "/loop" => respond(&mut stream, "HTTP/1.1 302 Found\r\nLocation: /loop", b""),
        "/to-private" => respond(&mut stream, "HTTP/1.1 302 Found\r\nLocation: http://10.255.255.1/", b""),
        "/to-feed" => respond(&mut stream, "HTTP/1.1 301 Moved\r\nLocation: /feed", b""),
        "/declared-huge" => {
            let _ =
                stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 52428800\r\nConnection: close\r\n\r\n");
        }
        "/endless" => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..64 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
        "/bomb" => {
            use flate2::{Compression, write::GzEncoder};
            let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
            encoder.write_all(&vec![0u8; 8 * 1024 * 1024]).unwrap();
            let body = encoder.finish().unwrap();
            respond(&mut stream, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip", &body);
        }
        "/drip" => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n");
            for _ in 0..100 {
                std::thread::sleep(Duration::from_millis(200));
                if stream.write_all(b"x").is_err() {
                    break;
                }
            }
        }
        "/robots.txt" => respond(
            &mut stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain",
            b"User-agent: *\nDisallow: /private/\n",
        ),
        "/busy" => respond(&mut stream, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7", b""),
        _ => respond(&mut stream, "HTTP/1.1 500 Internal Server Error", b"oops"),
    }
}

fn loopback_fetcher(tune: impl FnOnce(&mut FetchConfig)) -> Fetcher {
    let mut config = FetchConfig {
        policy: AddressPolicy::allowing("127.0.0.0/8,::1/128").unwrap(),
        ..FetchConfig::default()
    };
    tune(&mut config);
    Fetcher::new(config).unwrap()
}

#[tokio::test]
async fn documents_validators_and_not_modified() {
    let server = serve();
    let fetcher = loopback_fetcher(|_| {});
    let Fetched::Document(document) =
        fetcher.fetch(&format!("http://{server}/to-feed"), &Validators::default()).await.unwrap()
    else {
        panic!("a document")
    };
    assert_eq!(document.url, format!("http://{server}/feed"), "after the redirect");
    assert_eq!(document.bytes, b"<rss/>");
    assert_eq!(document.content_type.as_deref(), Some("application/rss+xml"));
    assert_eq!(document.charset.as_deref(), Some("ISO-8859-1"));
    assert_eq!(document.validators.etag.as_deref(), Some("\"v1\""));
    let again = fetcher.fetch(&format!("http://{server}/feed"), &document.validators).await.unwrap();
    assert_eq!(again, Fetched::NotModified);
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let server = serve();
    let public_only = Fetcher::new(FetchConfig::default()).unwrap();
    let refused =
        public_only.fetch(&format!("http://{server}/feed"), &Validators::default()).await.unwrap_err();
    assert!(
        matches!(refused, FetchError::Refused(AddressError::Refused { kind: "loopback", .. })),
        "{refused}"
    );
    // A name that resolves to loopback is refused too.
    let by_name = public_only
        .fetch(&format!("http://localhost:{}/feed", server.port()), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(by_name, FetchError::Refused(_)), "{by_name}");
    // Allowing loopback does not allow a redirect to a private address.
    let fetcher = loopback_fetcher(|_| {});
    let redirected =
        fetcher.fetch(&format!("http://{server}/to-private"), &Validators::default()).await.unwrap_err();
    assert!(
        matches!(redirected, FetchError::Refused(AddressError::Refused { kind: "private", .. })),
        "{redirected}"
    );
    for bad in ["file:///etc/passwd", "ftp://example.org/", "not a url"] {
        assert!(
            matches!(fetcher.fetch(bad, &Validators::default()).await, Err(FetchError::BadUrl { .. })),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn faults_end_in_clear_errors() {
    let server = serve();
    let fetcher = loopback_fetcher(|c| {
        c.max_bytes = 1024 * 1024;
        c.total_timeout = Duration::from_secs(2);
    });
    let fetch = |path: &str| {
        let (fetcher, url) = (fetcher.clone(), format!("http://{server}{path}"));
        async move { fetcher.fetch(&url, &Validators::default()).await.unwrap_err() }
    };
    assert!(matches!(fetch("/loop").await, FetchError::TooManyRedirects { limit: 5 }));
    assert!(matches!(fetch("/declared-huge").await, FetchError::TooLarge { .. }));
    assert!(matches!(fetch("/endless").await, FetchError::TooLarge { .. }));
    assert!(
        matches!(fetch("/bomb").await, FetchError::TooLarge { .. }),
        "a gzip bomb is counted after decompression"
    );
    assert!(matches!(fetch("/drip").await, FetchError::Timeout));
    let busy = fetch("/busy").await;
    assert!(
        matches!(busy, FetchError::Status { status: 429, retry_after: Some(d) } if d == Duration::from_secs(7)),
        "{busy}"
    );
    assert_eq!(busy.to_string(), "the server answered 429 (retry after 7 s)");
    assert!(matches!(fetch("/broken").await, FetchError::Status { status: 500, retry_after: None }));
}

#[tokio::test]
async fn requests_to_one_host_wait_their_turn() {
    let server = serve();
    let fetcher = loopback_fetcher(|c| c.host_delay = Duration::from_millis(300));
    let started = Instant::now();
    let url = format!("http://{server}/feed");
    let none = Validators::default();
    let (a, b, c) =
        tokio::join!(fetcher.fetch(&url, &none), fetcher.fetch(&url, &none), fetcher.fetch(&url, &none));
    assert!(a.is_ok() && b.is_ok() && c.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "three requests, two delays: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn robots_txt_is_read_once_per_site() {
    let server = serve();
    let fetcher = loopback_fetcher(|_| {});
    assert!(fetcher.robots_allow(&format!("http://{server}/news/a.html")).await.unwrap());
    assert!(!fetcher.robots_allow(&format!("http://{server}/private/b.html")).await.unwrap());
    // A site whose robots.txt cannot be had (nothing listens here) allows nothing for now, and says
    // why, so that its pages are tried again later.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let unreachable = fetcher.robots_allow(&format!("http://{closed}/a.html")).await;
    assert!(
        matches!(&unreachable, Err(error) if error.is_transient()),
        "unreachable: not known yet, to try again later: {unreachable:?}"
    );
}
