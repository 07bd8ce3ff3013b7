/** The JSON Schema of an RFC 9457 problem, the body of every error answer (see problem.ts). */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'Identifies the kind of problem' },
    title: { type: 'string', description: 'The HTTP reason phrase of the status' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', description: 'What went wrong with this request' },
    errors: {
      type: 'array',
      items: { type: 'string' },
      description: 'Every problem found in the request, one per entry',
    },
  },
  examples: [
    {
      type: 'https://order-saga.dev/problems/bad-request',
      title: 'Bad Request',
      status: 400,
      detail: "total: must be >= 0; body: unknown field 'colour'",
      errors: ['total: must be >= 0', "body: unknown field 'colour'"],
    },
  ],
} as const;
