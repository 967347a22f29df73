import OpenAI from "openai";

// A route handler that calls the model on every request (never prerendered at build time), on the Node.js runtime.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(request: Request): Promise<Response> {
  // Made per request: `next build` loads this module to read its configuration, where no API key needs to be set.
  const client = new OpenAI();
  const prompt = new URL(request.url).searchParams.get("prompt") ?? "Say hello";
  const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
  return Response.json({ prompt, answer: completion.choices[0]?.message?.content ?? "" });
}
