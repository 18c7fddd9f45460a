// The memory baseline for open streams: a bare node:http server that answers every request with an SSE
// response and holds it open, with a keep-alive comment every 10 s, as the app does.
import { createServer, type ServerResponse } from 'node:http';

const open = new Set<ServerResponse>();
const server = createServer((request, response) => {
  if (request.url === '/health') return void response.end('ok');
  request.resume();
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write(':\n\n');
  open.add(response);
  response.on('close', () => open.delete(response));
});
const heartbeat = setInterval(() => {
  for (const response of open) response.write(':\n\n');
}, 10_000);
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  clearInterval(heartbeat);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
