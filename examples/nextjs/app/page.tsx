export default function Page() {
  return <p>GET /api/chat?prompt=… asks the model.</p>;
}
