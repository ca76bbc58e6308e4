// Body of the Ory Actions web_hook that calls n8n's Ory Webhook Trigger
// (package n8n-nodes-contact-sync). Ory renders it with `ctx`.
//
// It names the flow in "event" (the trigger's event filter reads it), and sends the
// identity and the parts of the flow a workflow may use. Works for registration, settings,
// login, recovery and verification hooks, before and after, on Ory Network and Kratos.
function(ctx)
  local get(object, key, fallback) =
    if std.isObject(object) && std.objectHas(object, key) then object[key] else fallback;
  local flow = get(ctx, 'flow', {});
  local identity = get(ctx, 'identity', null);
  // The flow's URL names it: .../self-service/registration/browser, .../self-service/settings?flow=...
  local url = get(flow, 'request_url', get(ctx, 'request_url', ''));
  local events = ['registration', 'settings', 'login', 'recovery', 'verification'];
  local named = [event for event in events if std.length(std.findSubstr('/self-service/' + event, url)) > 0];
  {
    event: if std.length(named) > 0 then named[0] else 'unknown',
    identity: if identity == null then null else {
      id: get(identity, 'id', null),
      schema_id: get(identity, 'schema_id', null),
      state: get(identity, 'state', null),
      traits: get(identity, 'traits', {}),
      metadata_public: get(identity, 'metadata_public', null),
      // Sent so that a workflow changing admin metadata can keep the rest (Ory replaces it
      // whole). Delete this line if the workflow must not see admin metadata.
      metadata_admin: get(identity, 'metadata_admin', null),
      verifiable_addresses: get(identity, 'verifiable_addresses', []),
    },
    flow: {
      id: get(flow, 'id', null),
      type: get(flow, 'type', null),
      request_url: url,
      transient_payload: get(flow, 'transient_payload', null),
    },
  }
