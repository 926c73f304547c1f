//! The web page in a real browser: reformd on 127.0.0.1:0 with the seed case, a late entry and a
//! correction, looked at through headless chromium driven over WebDriver.

// The browser behind a blocking facade, one at a time; screenshots; the security headers.
mod support;
// The seed case with a decision entered late and a correction, and the API's answers to check
// the pages against.
mod scenario;
// A committee on a date: its leaders and unit seats before and after Decision 34; the time
// axis by mouse and keyboard.
mod committee;
// "As recorded on": the view as known before the late entry and before the correction.
mod recorded;
// Search without diacritics, and the person page it leads to.
mod search;
// Reads behind a token: the token form, a refused token, a token never in a URL.
mod token;
// A change shows on an open committee page; a seat held ex officio on its holder's page.
mod live;
// Every page renders with no console error, under the Content-Security-Policy; screenshots.
mod pages;
