//! `parallax demo` loads the bundled corpus and serves a site with many stories, the sample story
//! among them with both its reports.

mod support;

use support::Server;

#[test]
fn the_demo_serves_many_stories_including_the_sample_story() {
    let server = Server::start(None, &["demo", "--addr", "127.0.0.1:0"]);
    let (status, front) = server.get("/");
    assert_eq!(status, 200);
    let cards = front.matches("class=\"story-card").count();
    assert_eq!(cards, 24, "a full first page of stories");
    assert!(front.contains("rel=\"next\""), "more stories on later pages");
    assert!(front.contains("Sergei Shoigu"), "the sample story leads the front page");
    assert!(front.contains("People News · Unattributed"));

    let (status, about) = server.get("/about");
    assert_eq!(status, 200);
    assert!(about.contains("ECB+") && about.contains("Creative Commons Attribution 3.0"));
    let (status, page2) = server.get("/?page=2");
    assert_eq!(status, 200);
    assert!(page2.contains("rel=\"prev\""));
}
