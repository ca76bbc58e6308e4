// Starting n8n takes tens of seconds on a busy 2-core machine; these are
// upper bounds against hangs, not expectations of speed.
jest.setTimeout(600_000);
