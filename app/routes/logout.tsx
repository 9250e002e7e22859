import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getSession } from "~/auth.server.ts";

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await getSession(request, context);
  return redirect("/login", {
    headers: { "Set-Cookie": await context.services.sessionStorage.destroySession(session) },
  });
}

export const loader = () => redirect("/dashboard");
