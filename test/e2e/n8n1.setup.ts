// The e2e-n8n1 project: the same end-to-end specs against the last n8n 1.x.
process.env.N8N_VERSION = process.env.N8N1_VERSION || '1.123.81';
