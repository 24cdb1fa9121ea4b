//! The running server's backup socket, `<data>/run/backup.sock`: `p2p-sandbox backup` run
//! beside a live server — whose store file it cannot open, the server holds its lock — asks
//! the server through it for the backup, an online snapshot like the scheduled ones. The
//! socket is the data dir owner's alone: it is made inside a folder of mode 0700 (so no one
//! else can reach it even before its own mode is set), then set to 0600. Whoever may read the
//! data dir may back it up, and nobody else. One JSON line each way. `restore` uses it to tell
//! that a server is running.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{UnixListener, UnixStream},
    sync::watch,
};

use crate::{domain::backup::BackupManifest, state::AppState};

/// The socket's folder in the data dir, and its file there.
pub const SOCKET_DIR: &str = "run";
pub const SOCKET: &str = "backup.sock";
/// Longest request line read.
const MAX_REQUEST: u64 = 4096;

/// What the command asks for.
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    /// The target (a directory, `s3://bucket/prefix`, or empty for `backup.target`).
    to: String,
}

/// What the server answers.
#[derive(Debug, Serialize, Deserialize)]
enum Reply {
    Done(Box<BackupManifest>),
    Failed(String),
}

fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_DIR).join(SOCKET)
}

/// The socket's folder, made (or reset) to mode 0700.
fn private_folder(data_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let dir = data_dir.join(SOCKET_DIR);
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
        }
        other => other,
    }
}

/// Whether a server answers on `data_dir`'s socket.
pub fn alive(data_dir: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(socket_path(data_dir)).is_ok()
}

/// Serves the socket until `stop` turns true, then removes it. Without it (a path too long
/// for a socket, a read-only data dir) the server runs on; `backup` then needs it stopped.
pub async fn listen(state: AppState, mut stop: watch::Receiver<bool>) {
    let path = socket_path(&state.config.data_dir);
    if let Err(e) = private_folder(&state.config.data_dir) {
        tracing::warn!(error = %e, "no backup socket folder: `backup` needs the server stopped");
        return;
    }
    // A socket left by a server that was killed: nobody listens on it any more.
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "no backup socket: `backup` needs the server stopped");
            return;
        }
    };
    if let Err(e) = std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)) {
        tracing::warn!(error = %e, "cannot restrict the backup socket; closing it");
        let _ = std::fs::remove_file(&path);
        return;
    }
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let state = state.clone();
                    tokio::spawn(async move { answer(&state, stream).await });
                }
            }
            _ = stop.changed() => break,
        }
    }
    let _ = std::fs::remove_file(&path);
}

async fn answer(state: &AppState, stream: UnixStream) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let reply = match BufReader::new(read.take(MAX_REQUEST)).read_line(&mut line).await {
        Ok(_) => match serde_json::from_str::<Request>(&line) {
            Ok(request) => match super::take_to(state, &request.to).await {
                Ok(manifest) => Reply::Done(Box::new(manifest)),
                Err(e) => Reply::Failed(format!("{e:#}")),
            },
            Err(e) => Reply::Failed(format!("a bad request: {e}")),
        },
        Err(e) => Reply::Failed(format!("a bad request: {e}")),
    };
    if let Ok(mut bytes) = serde_json::to_vec(&reply) {
        bytes.push(b'\n');
        let _ = write.write_all(&bytes).await;
    }
}

/// Asks a server running on `data_dir` for a backup to `to`; `None` when none listens there.
pub async fn ask(data_dir: &Path, to: &str) -> Option<anyhow::Result<BackupManifest>> {
    let stream = UnixStream::connect(socket_path(data_dir)).await.ok()?;
    Some(exchange(stream, to).await)
}

async fn exchange(stream: UnixStream, to: &str) -> anyhow::Result<BackupManifest> {
    let (read, mut write) = stream.into_split();
    let mut request = serde_json::to_vec(&Request { to: to.to_owned() })?;
    request.push(b'\n');
    write.write_all(&request).await?;
    let mut line = String::new();
    BufReader::new(read).read_line(&mut line).await?;
    match serde_json::from_str::<Reply>(&line)? {
        Reply::Done(manifest) => Ok(*manifest),
        Reply::Failed(why) => anyhow::bail!("the running server's backup failed: {why}"),
    }
}
