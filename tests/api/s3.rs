//! A real S3-compatible server for the tests: s3s over s3s-fs on a temporary folder, served
//! in-process on a random port. No mock: opendal's S3 backend talks HTTP to it.

use std::path::PathBuf;

use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto::Builder,
};
use tempfile::TempDir;
use tokio::net::TcpListener;

pub const BUCKET: &str = "media-bucket";
pub const ACCESS_KEY: &str = "test-access-key";
pub const SECRET_KEY: &str = "test-secret-key";

/// A running S3 server with one bucket.
pub struct S3Server {
    pub endpoint: String,
    pub root: PathBuf,
    _dir: TempDir,
}

impl S3Server {
    pub async fn start() -> Self {
        let dir = TempDir::new().unwrap();
        std::fs::create_dir(dir.path().join(BUCKET)).unwrap();
        let fs = s3s_fs::FileSystem::new(dir.path()).unwrap();
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let service = service.clone();
                tokio::spawn(async move {
                    let _ = Builder::new(TokioExecutor::new()).serve_connection(TokioIo::new(socket), service).await;
                });
            }
        });
        Self { endpoint, root: dir.path().join(BUCKET), _dir: dir }
    }

    /// Server settings pointing the media store at this server.
    pub fn settings(&self, bucket: &str) -> Vec<(String, String)> {
        [
            ("P2P_MEDIA_URI", format!("s3://{bucket}")),
            ("P2P_MEDIA__S3_ENDPOINT", self.endpoint.clone()),
            ("P2P_MEDIA__S3_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("P2P_MEDIA__S3_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("P2P_MEDIA__S3_REGION", "us-east-1".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}
