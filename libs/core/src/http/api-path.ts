/** Every REST route lives under /api/v1; controllers spell their path with this. */
export const API_V1 = 'api/v1';
export const apiPath = (path: string) => `${API_V1}/${path}`;
