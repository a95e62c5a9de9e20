export interface RunningServer {
  baseUrl: string;
  apiKey: string;
  stop: () => Promise<void>;
}

export function startDemoServer(): Promise<RunningServer> {
  return Promise.reject(new Error('the server is not wired in yet'));
}
