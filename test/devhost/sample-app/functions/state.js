"use strict";
// What the sample functions observed, so tests can read it back over HTTP (GET /api/observed).
const observed = { timer: [], events: [], hooks: { pre: 0, post: 0, appStart: 0 }, calls: {} };
module.exports = { observed };
