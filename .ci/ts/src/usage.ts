// Type-checked only (tsc --noEmit); never executed, makes no network calls.
//
// Proves that a frontend can use a client generated from the committed
// openapi/openapi.json: request bodies, path params, success bodies and the
// error body are all typed — not `any`, `unknown` or `never`.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

// ---- compile-time assertions ---------------------------------------------

type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
/** Fails to compile unless `T` is exactly `true`. */
function assertType<T extends true>(_proof?: T): void {}
/** Fails to compile if `value` is `any`, `unknown` or `never`. */
function typed<T>(
  value: IsAny<T> extends true ? never : unknown extends T ? never : [T] extends [never] ? never : T,
): T {
  return value as T;
}

type Schemas = components["schemas"];

// ---- the client ----------------------------------------------------------

const client = createClient<paths>({ baseUrl: "http://localhost:8080" });

function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

// POST /api/v1/auth/signup ------------------------------------------------

export async function signup(): Promise<string> {
  const { data, error, response } = await client.POST("/api/v1/auth/signup", {
    body: {
      email: "amal@acme.sa",
      password: "s3cure-passw0rd",
      first_name: "Amal",
      last_name: "Haddad",
      organization_name: "Acme",
      industry_sector: "Metal Processing",
      company_size: "small",
      city: "Riyadh",
      // optional fields
      country: "Saudi Arabia",
      title: "Engineer",
      language: "ar",
    },
  });
  if (error) {
    if (response.status === 422) {
      return describeError(error);
    }
    return error.code;
  }
  assertType<Equals<typeof data, Schemas["SignupResult"]>>();
  const verify: boolean = typed(data.verification_required);
  const status: Schemas["AccountStatus"] = typed(data.user.status);
  const orgName: string | undefined = data.organization?.name;
  return `${verify} ${status} ${orgName ?? "-"}`;
}

// Required signup fields really are required: omitting `city` is an error.
export async function signupMissingField(): Promise<void> {
  await client.POST("/api/v1/auth/signup", {
    // @ts-expect-error `city` is required by SignupRequest
    body: {
      email: "a@acme.sa",
      password: "s3cure-passw0rd",
      first_name: "A",
      last_name: "B",
      organization_name: "Acme",
      industry_sector: "Metal Processing",
      company_size: "small",
    },
  });
}

// Closed sets are enums: a size outside the set is an error.
export async function signupGiganticCompany(): Promise<void> {
  await client.POST("/api/v1/auth/signup", {
    body: {
      email: "a@acme.sa",
      password: "s3cure-passw0rd",
      first_name: "A",
      last_name: "B",
      organization_name: "Acme",
      industry_sector: "Other",
      // @ts-expect-error `gigantic` is not a CompanySize
      company_size: "gigantic",
      city: "Riyadh",
    },
  });
}

// POST /api/v1/auth/login -------------------------------------------------

export async function login(email: string, password: string): Promise<string | undefined> {
  const { data, error } = await client.POST("/api/v1/auth/login", {
    body: { email, password },
  });
  if (error) {
    assertType<Equals<typeof error, Schemas["ErrorBody"]>>();
    return undefined;
  }
  const result: Schemas["AuthResult"] = data;
  const status = typed(result.status);
  assertType<Equals<typeof status, "authenticated" | "mfa_required" | "pending_approval">>();
  // A union on `status`: each branch has exactly its own fields, required.
  switch (data.status) {
    case "authenticated": {
      const token: string = data.access_token;
      const expiresIn: number = data.expires_in;
      return expiresIn > 0 ? token : undefined;
    }
    case "mfa_required": {
      const challenge: string = data.challenge_id;
      // @ts-expect-error a challenge carries no token
      return challenge + data.access_token;
    }
    case "pending_approval":
      return undefined;
  }
}

// GET /api/v1/users/me ----------------------------------------------------

export async function me(token: string): Promise<string> {
  const { data, error } = await client.GET("/api/v1/users/me", { headers: bearer(token) });
  if (error) {
    return error.message;
  }
  assertType<Equals<typeof data, Schemas["Me"]>>();
  const firstName: string = typed(data.user.first_name);
  const tags: string[] = typed(data.user.expertise_tags);
  const orgName: string | undefined = data.organization?.name;
  const members: number | undefined = data.organization?.member_count;
  return `${firstName} ${tags.join(",")} ${orgName ?? "-"} ${members ?? 0}`;
}

// PATCH /api/v1/users/me --------------------------------------------------

export async function updateMe(token: string): Promise<string | undefined> {
  const { data } = await client.PATCH("/api/v1/users/me", {
    headers: bearer(token),
    body: { first_name: "Amal", bio: "Hello", expertise_tags: ["rust", "grid"], language: "en" },
  });
  // Every field of ProfileUpdateRequest is optional.
  await client.PATCH("/api/v1/users/me", { headers: bearer(token), body: {} });
  // @ts-expect-error a field of the wrong type is rejected
  await client.PATCH("/api/v1/users/me", { headers: bearer(token), body: { expertise_tags: "rust" } });
  return data?.user.name;
}

// GET /api/v1/auth/sessions -----------------------------------------------

export async function firstSessionId(token: string): Promise<string | undefined> {
  const { data } = await client.GET("/api/v1/auth/sessions", { headers: bearer(token) });
  if (!data) return undefined;
  assertType<Equals<typeof data, Schemas["SessionList"]>>();
  const first = data.items[0];
  const current: boolean | undefined = first?.current;
  return current === undefined ? undefined : data.items[0]?.id;
}

// DELETE /api/v1/auth/sessions/{id} ---------------------------------------

export async function revokeSession(token: string, id: string): Promise<boolean> {
  const { error, response } = await client.DELETE("/api/v1/auth/sessions/{id}", {
    headers: bearer(token),
    params: { path: { id } },
  });
  // @ts-expect-error the path param is required
  await client.DELETE("/api/v1/auth/sessions/{id}", { headers: bearer(token), params: { path: {} } });
  if (error) {
    assertType<Equals<typeof error, Schemas["ErrorBody"]>>();
    return false;
  }
  return response.status === 204;
}

// The 422 error body ------------------------------------------------------

export function describeError(error: Schemas["ErrorBody"]): string {
  const code: Schemas["ErrorCode"] = typed(error.code);
  // @ts-expect-error error codes are a closed set
  const unknown: Schemas["ErrorCode"] = "no_such_code";
  const fields: Record<string, string> | undefined = error.fields;
  const parts = Object.entries(fields ?? {}).map(([field, why]) => `${field}: ${why}`);
  return `${code}${unknown}: ${parts.join("; ")}`;
}

export async function loginValidationError(): Promise<string | undefined> {
  const { error, response } = await client.POST("/api/v1/auth/login", {
    body: { email: "not-an-email", password: "" },
  });
  if (error && response.status === 422) {
    const code: string = error.code;
    const emailProblem: string | undefined = error.fields?.["email"];
    return `${code} ${emailProblem ?? ""}`;
  }
  return undefined;
}

// Unknown paths are rejected at compile time.
export async function unknownPath(): Promise<void> {
  // @ts-expect-error no such path in the spec
  await client.GET("/api/v1/nope");
}

// POST /api/v1/use-cases, then its media ----------------------------------
// The create type names the required fields; files are Blobs (several `files` parts).

export async function createUseCaseWithPhotos(token: string, photos: Blob[]): Promise<number> {
  const { data: created } = await client.POST("/api/v1/use-cases", {
    headers: bearer(token),
    body: {
      title: "Vision inspection on the bottling line",
      body: "Cameras and a small model catch cap defects before palletizing.",
      category: "quality-control",
      factory_name: "Jeddah Bottling",
      city: "Jeddah",
      latitude: 21.5,
      longitude: 39.2,
      industry: "Food & Beverage",
      roi: { headline: "Paid back in 14 months", payback_period: "14 months" },
      challenges: [{ challenge: "Glare", description: "", solution: "Polarized light", outcome: "" }],
    },
  });
  // @ts-expect-error `latitude` (and the other simplified-form fields) are required to create
  await client.POST("/api/v1/use-cases", { headers: bearer(token), body: { title: "Only a title" } });
  // @ts-expect-error categories are ids of a closed set
  await client.POST("/api/v1/use-cases", { headers: bearer(token), body: { ...created!, category: "Gardening" } });
  if (!created) return 0;
  assertType<Equals<typeof created, Schemas["UseCaseDto"]>>();
  const category: Schemas["UseCaseCategoryId"] = typed(created.category);
  const payback: string = created.roi.payback_period ?? "";
  const { data, error } = await client.POST("/api/v1/use-cases/{id}/media", {
    params: { path: { id: created.id } },
    headers: bearer(token),
    body: { files: photos },
    bodySerializer: (body) => {
      const form = new FormData();
      body.files.forEach((p, i) => form.append("files", p, `photo-${i}.jpg`));
      return form;
    },
  });
  if (error) {
    assertType<Equals<typeof error, Schemas["ErrorBody"]>>();
    return 0;
  }
  assertType<Equals<typeof data, Schemas["UseCaseDto"]>>();
  return typed(data.media).length + category.length + payback.length;
}

// Use-case drafts: save at a wizard step, upload media, resume, publish ----

export async function resumeDraft(token: string, photo: Blob): Promise<string | undefined> {
  const { data: saved } = await client.POST("/api/v1/use-cases/drafts", {
    headers: bearer(token),
    body: { title: "Robotic palletizing", current_step: 2, client_state: JSON.stringify({ panel: "results" }) },
  });
  if (!saved) return undefined;
  await client.POST("/api/v1/use-cases/drafts/{id}/media", {
    params: { path: { id: saved.id } },
    headers: bearer(token),
    body: { files: [photo] },
    bodySerializer: (body) => {
      const form = new FormData();
      body.files.forEach((p) => form.append("files", p));
      return form;
    },
  });
  const { data: draft } = await client.GET("/api/v1/use-cases/drafts/{id}", {
    params: { path: { id: saved.id } },
    headers: bearer(token),
  });
  if (!draft) return undefined;
  assertType<Equals<typeof draft, Schemas["UseCaseDraftDto"]>>();
  // Every field is typed, each optional until the draft is complete.
  const title: string | undefined = draft.fields.title;
  const latitude: number | undefined = draft.fields.latitude;
  const category: Schemas["UseCaseCategoryId"] | undefined = draft.fields.category;
  const step: number = typed(draft.current_step);
  const photos: number = typed(draft.media).length;
  const { data: published } = await client.POST("/api/v1/use-cases/drafts/{id}/publish", {
    params: { path: { id: draft.id } },
    headers: bearer(token),
  });
  return `${title ?? ""} ${latitude ?? ""} ${category ?? ""} ${step} ${photos} ${published?.slug ?? ""}`;
}

// GET /api/v1/users/me/bookmarks: one paged listing, a union on `type` ------

export async function bookmarkTitles(token: string): Promise<string[]> {
  const { data } = await client.GET("/api/v1/users/me/bookmarks", {
    headers: bearer(token),
    params: { query: { type: "use_case", limit: 20 } },
  });
  if (!data) return [];
  const total: number = typed(data.total);
  return data.items.map((b) => {
    switch (b.type) {
      case "topic":
        return b.topic.title;
      case "use_case":
        return `${b.use_case.title} (${total})`;
    }
  });
}
