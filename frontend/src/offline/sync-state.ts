// What the first screen reads about syncing (the keys of its state on the
// phone, the revoked message, the "synced" signal) without loading the sync
// engine itself (outbox replay, signing, uploads), which is its own chunk,
// loaded right after the first render (issue 23).

/** The e-mail of the signed-in user on this phone. */
export const CURRENT_USER_KEY = 'session.user';
export const LAST_SYNC_KEY = 'sync.last_success';
/** Epoch ms before which the server asked not to be sent anything (429 Retry-After). */
export const THROTTLED_UNTIL_KEY = 'sync.throttled_until';
/** The e-mail of the driver whose device the office revoked: nothing is sent for them until they sign in again. */
export const DEVICE_REVOKED_KEY = 'sync.device_revoked';
/** The last replay's report, with its time. */
export const LAST_REPORT_KEY = 'sync.last_report';

export const REVOKED_MESSAGE = 'This phone was disconnected by the office. Sign in again to send your queued actions; they are kept on this phone.';

/** Fires 'synced' (detail: the replay report) after every replay. */
export const syncEvents = new EventTarget();
