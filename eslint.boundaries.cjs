// Module boundaries (CONVENTIONS.md, habit 2), as ESLint config blocks: eslint.config.mjs uses them,
// and scripts/checks/boundaries.spec.ts proves that each rule fails on a violation.
//
// The layers, lowest first; a lib imports only libs below it, through their public entry:
//   contracts -> platform -> kafka-admin -> ingestion -> activity-store
// (the event; what every Nest app shares; Kafka; the engine; MongoDB). client-sdk imports nothing.
// Apps and examples import libs (public entries only), never each other; scripts import libs,
// never apps; nothing climbs two folders up.
const LAYERS = ['contracts', 'platform', 'kafka-admin', 'ingestion', 'activity-store'];
const LIBS = [...LAYERS, 'client-sdk'];

const shared = [
  { group: ['@app/*/*'], message: 'Import a lib only through its public entry (@app/<lib>).' },
  { group: ['../../*'], message: 'No parent-relative imports across modules; use @app/<lib>.' },
  { group: ['**/libs/*', '**/libs/**'], message: 'Import libs through @app/<lib>.' },
];
const noApps = (message) => ({ group: ['**/apps/**', '**/examples/**'], message });

const restrict = (files, extra) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [...shared, ...extra] }] },
});

const libBlocks = LIBS.map((lib) => {
  const at = LAYERS.indexOf(lib);
  const above = at < 0 ? LIBS.filter((l) => l !== lib) : LIBS.slice(at + 1);
  return restrict(
    [`libs/${lib}/**/*.ts`],
    [
      noApps('Libs never import apps.'),
      ...(above.length > 0
        ? [
            {
              group: above.map((l) => `@app/${l}`),
              message: `${lib} sits below ${above.join(', ')} (eslint.boundaries.cjs): import downwards only.`,
            },
          ]
        : []),
    ],
  );
});

const appBlocks = ['producer-api', 'consumer'].map((app) =>
  restrict(
    [`apps/${app}/**/*.ts`],
    [
      {
        group: ['**/producer-api/**', '**/consumer/**', '**/apps/**', '**/examples/**'],
        message: 'Apps never import each other.',
      },
    ],
  ),
);

module.exports = {
  LAYERS,
  boundaries: [
    ...libBlocks,
    ...appBlocks,
    restrict(
      ['examples/**/*.ts', 'docs/**/*.ts'],
      [noApps('An example uses the libs only, like any other app.')],
    ),
    restrict(
      ['scripts/**/*.ts'],
      [noApps('Scripts use the libs or run the built apps; they never import app code.')],
    ),
  ],
};
