// A static single-page app: everything runs in the visitor's browser.
export const prerender = true;
export const ssr = false;
