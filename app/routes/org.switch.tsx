import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { safeRedirectPath, switchOrganization } from "~/auth.server.ts";

const switchForm = z.object({
  orgId: z.string({ message: "choose an organisation" }).min(1, "choose an organisation"),
  redirectTo: z.string().optional(),
});

/** Pages that are the same for every organisation stay; a page about one record of the old organisation goes to its list. */
function pathAfterSwitch(redirectTo: string | undefined): string {
  const path = safeRedirectPath(redirectTo ?? null).split(/[?#]/)[0]!;
  if (/^\/(dashboard|events|incidents|incidents\/new|alerts|settings\/[a-z-]+)$/.test(path)) return path;
  if (path.startsWith("/events/")) return "/events";
  if (path.startsWith("/incidents/")) return "/incidents";
  return "/dashboard";
}

/** POST /org/switch (the AppShell's organisation switcher): only to an organisation the user is a member of. */
export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = switchForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw new Response(parsed.error.issues[0]?.message ?? "invalid form", { status: 400 });
  const result = await switchOrganization(request, context, parsed.data.orgId);
  // Not a member (or no such organisation): the same answer, so ids of other tenants reveal nothing.
  if (!result.ok) throw new Response("Organisation not found", { status: 404 });
  return redirect(pathAfterSwitch(parsed.data.redirectTo), { headers: { "Set-Cookie": result.setCookie } });
}

export function loader() {
  return redirect("/dashboard");
}
