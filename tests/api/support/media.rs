//! Media: test images, multipart forms, avatar and logo uploads, and the local object folder.

use reqwest::{
    Method, Response,
    multipart::{Form, Part},
};

use super::TestApp;

/// A `width` × `height` PNG with a gradient (so no two sizes encode alike).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A multipart form with `bytes` as the `file` part, named `name`, declared as `mime`.
pub fn file_form(bytes: Vec<u8>, name: &str, mime: &str) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).unwrap())
}

/// A form with a small PNG as its `file` part.
pub fn png_form() -> Form {
    file_form(png(4, 4), "a.png", "image/png")
}

impl TestApp {
    /// `PUT /users/me/avatar` with `form`.
    pub async fn upload_avatar(&self, token: &str, form: Form) -> Response {
        self.req(Method::PUT, "/api/v1/users/me/avatar").bearer_auth(token).multipart(form).send().await.unwrap()
    }

    /// `DELETE /users/me/avatar`.
    pub async fn remove_avatar(&self, token: &str) -> Response {
        self.delete("/api/v1/users/me/avatar", token).await
    }

    /// `PUT /organizations/me/logo` with `form`.
    pub async fn upload_logo(&self, token: &str, form: Form) -> Response {
        let r = self.req(Method::PUT, "/api/v1/organizations/me/logo").bearer_auth(token).multipart(form);
        r.send().await.unwrap()
    }

    /// `DELETE /organizations/me/logo`.
    pub async fn remove_logo(&self, token: &str) -> Response {
        self.delete("/api/v1/organizations/me/logo", token).await
    }

    /// Objects (content and thumbnails) in the local media backend's folder.
    pub fn local_objects(&self) -> usize {
        std::fs::read_dir(self.dir.join("media").join("media")).map(|d| d.count()).unwrap_or(0)
    }
}
