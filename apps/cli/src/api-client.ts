/** A small client for Ruche's REST API, authenticated with an API token (RUCHE_TOKEN). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly locale: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          'accept-language': this.locale,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      throw new ApiError(0, 'unreachable', `cannot reach ${this.baseUrl}: ${(error as Error).message}`);
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (json as { error?: { code: string; message: string; details?: unknown } } | undefined)?.error;
      const fields = Array.isArray(error?.details) ? (error.details as Array<{ field: string; message: string }>).map((d) => `\n  ${d.field}: ${d.message}`).join('') : '';
      throw new ApiError(response.status, error?.code ?? 'error', `${error?.message ?? `HTTP ${response.status}`}${fields}`);
    }
    return json as T;
  }
}
