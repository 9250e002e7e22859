import { Link } from "@remix-run/react";
import { Card, Title } from "@tremor/react";
import type { Digest } from "../../../domain/digest/digest.ts";

/**
 * What this week's digest would say, as the settings page previews it (nothing is sent). The same Digest the Slack and
 * email builders render, so the preview and the message never disagree; links stay inside the app.
 */
export function DigestPreview({ digest }: { digest: Digest }) {
  return (
    <Card className="mt-4 max-w-3xl" data-testid="digest-preview">
      <Title>{digest.title}</Title>
      <p className="mt-2 text-sm text-gray-700">{digest.summary}</p>
      {digest.sections.map((section) => (
        <section key={section.id} className="mt-4" aria-labelledby={`digest-${section.id}`}>
          <h3 id={`digest-${section.id}`} className="text-sm font-semibold text-gray-900">
            {section.heading}
          </h3>
          <ul className="mt-1 list-disc pl-5 text-sm text-gray-700">
            {section.lines.map((line, index) => (
              <li key={index} className="break-words">
                {line}
              </li>
            ))}
          </ul>
          {section.link ? (
            <Link to={section.link.path} className="mt-1 inline-block text-sm text-blue-700 underline">
              {section.link.label}
            </Link>
          ) : null}
        </section>
      ))}
    </Card>
  );
}
