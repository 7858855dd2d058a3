// pa11y (WCAG2AA, runners axe and HTML_CodeSniffer) over a list of pages, in Debian's Chromium.
// Reads {"urls": [...], "cookie": "name=value; ...", "chromium": "/usr/bin/chromium"} on stdin
// and prints {"url": [error, ...]} on stdout: only issues of type "error" (not warnings/notices).
// One browser serves every page, two at a time (one per core): a page costs a load and two
// audits, not a browser start.
import pa11y from "pa11y";
import puppeteer from "puppeteer";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { urls, cookie, chromium } = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
// An empty text field has no text whose contrast could fail, yet axe sometimes leaves it as
// "needs review" (which pa11y reports as an error); what is typed into it is body text on white.
const isEmptyField = (issue) =>
  issue.runner === "axe" &&
  issue.code === "color-contrast" &&
  /^<textarea[^>]*>\s*<\/textarea>$/.test(issue.context);

const errors = {};
async function audit(url) {
    const result = await pa11y(url, {
      browser,
      standard: "WCAG2AA",
      runners: ["axe", "htmlcs"],
      includeWarnings: false,
      includeNotices: false,
      headers: cookie ? { Cookie: cookie } : {},
      // pa11y reports axe's "needs review" as errors. Inside an SVG chart axe can never tell
      // the background (it stops at the <svg>), so the charts' text would always "need
      // review"; the charts are role="img" with a title, and their numbers are in a table.
      hideElements: "svg[role=img] text",
      // A wide, tall window: no table column or field is "partially obscured" by its edge.
      viewport: { width: 1920, height: 2400 },
      timeout: 30000,
    });
    errors[url] = result.issues
      .filter((issue) => issue.type === "error" && !isEmptyField(issue))
      .map(({ runner, code, message, selector }) => ({ runner, code, message, selector }));
}
const queue = [...urls];
const worker = async () => {
  while (queue.length) await audit(queue.shift());
};
try {
  await Promise.all([worker(), worker()]);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(errors));
