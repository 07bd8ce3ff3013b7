/**
 * Serves a service's OpenAPI document at `/openapi.json` and the interactive reference at
 * `/docs`. The reference's scripts and styles come from the installed swagger-ui-dist package,
 * never a CDN, so it works on a machine without internet access. The reference is read by
 * people, now and then: its module loads with the first visit, not with every start.
 */
import { Router } from 'express';

const options = {
  customSiteTitle: 'order-saga-engine API reference',
  // The default sends the document to an online validator and shows its badge.
  swaggerOptions: { validatorUrl: null, tryItOutEnabled: false, displayRequestDuration: true },
};

export function docsRouter(document: object): Router {
  const router = Router();
  const body = JSON.stringify(document);
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  // The page loads its assets by relative URLs, which resolve under /docs/ only.
  router.get('/docs', (req, res, next) => {
    if (req.path.endsWith('/')) return next();
    res.redirect(301, '/docs/');
  });
  let reference: Promise<Router> | undefined;
  router.use('/docs', (req, res, next) => {
    reference ??= import('swagger-ui-express').then(({ default: swaggerUi }) =>
      Router().use(swaggerUi.serveFiles(document, options), swaggerUi.setup(document, options)),
    );
    reference.then((serve) => serve(req, res, next), next);
  });
  return router;
}
