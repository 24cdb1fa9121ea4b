//! A real S3-compatible server for the tests: s3s over s3s-fs on a temporary folder, served
//! in-process on a random port. No mock: opendal's S3 backend talks HTTP to it.

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
};

use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto::Builder,
};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tracing::{instrument::WithSubscriber, subscriber::NoSubscriber};

const BUCKET: &str = "media-bucket";
const ACCESS_KEY: &str = "test-access-key";
const SECRET_KEY: &str = "test-secret-key";

type Service = s3s::service::S3Service;

/// A running S3 server with one bucket; it can be stopped (connections refused, open ones
/// cut) and started again on the same port, with the same objects.
pub struct S3Server {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// The bucket's folder (object keys are paths below it).
    pub root: PathBuf,
    addr: SocketAddr,
    service: Service,
    /// The accept loop and every connection it serves, to abort on `stop`.
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    _dir: TempDir,
}

/// Serves `service` on `listener` until aborted; every task is recorded in `tasks`.
fn serve(listener: TcpListener, service: Service, tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>) {
    let recorded = tasks.clone();
    let accept = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let service = service.clone();
            let connection = async move {
                let _ = Builder::new(TokioExecutor::new()).serve_connection(TokioIo::new(socket), service).await;
            };
            // s3s logs every 5xx it answers at ERROR, and s3s-fs answers 500 (where S3
            // answers 204) when two deletes of one key race, as the app's media removal and
            // its thumbnail job sometimes do. That line is this double's noise; the app logs
            // its own view of the failure.
            let task = tokio::spawn(connection.with_subscriber(NoSubscriber::default()));
            recorded.lock().unwrap().push(task);
        }
    });
    tasks.lock().unwrap().push(accept);
}

impl S3Server {
    /// Starts the server with an empty bucket.
    pub async fn start() -> Self {
        let dir = TempDir::new().unwrap();
        std::fs::create_dir(dir.path().join(BUCKET)).unwrap();
        let fs = s3s_fs::FileSystem::new(dir.path()).unwrap();
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tasks = Arc::default();
        serve(listener, service.clone(), Arc::clone(&tasks));
        Self { endpoint: format!("http://{addr}"), root: dir.path().join(BUCKET), addr, service, tasks, _dir: dir }
    }

    /// Stops answering: the port refuses connections and open ones are cut (every task is
    /// gone when this returns).
    pub async fn stop(&self) {
        let tasks: Vec<_> = self.tasks.lock().unwrap().drain(..).collect();
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
    }

    /// Answers again on the same port, with the objects it had.
    pub async fn start_again(&self) {
        // `stop` waited for the accept loop, so its listener is closed and the port free.
        let listener = TcpListener::bind(self.addr).await.unwrap();
        serve(listener, self.service.clone(), Arc::clone(&self.tasks));
    }

    /// Server settings pointing the media store at this server's bucket.
    pub fn settings(&self) -> Vec<(String, String)> {
        [
            ("P2P_MEDIA_URI", format!("s3://{BUCKET}")),
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
