import { Controller, Get, Header } from '@nestjs/common';
import { Doc, Public } from '../http/decorators.js';
import { OpenApiGenerator } from './openapi.generator.js';

export const DOCS_ASSETS_PREFIX = '/api/docs/assets/';

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Ruche API</title>
<link rel="stylesheet" href="${DOCS_ASSETS_PREFIX}swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS_PREFIX}swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>`;

// A separate file rather than an inline script, so the Content-Security-Policy can stay strict.
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', withCredentials: true });`;

@Controller('api')
export class OpenApiController {
  constructor(private readonly generator: OpenApiGenerator) {}

  @Get('openapi.json')
  @Public()
  @Doc({ summary: 'This OpenAPI document' })
  openapi() {
    return this.generator.document();
  }

  @Get('docs')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  docs() {
    return DOCS_PAGE;
  }

  @Get('docs/init.js')
  @Public()
  @Header('content-type', 'text/javascript; charset=utf-8')
  docsInit() {
    return DOCS_INIT;
  }
}
