// For each TypeScript file given, where each occurrence of a marker sits: inside a string
// literal, a template literal's text, a comment, or elsewhere (code). Parsed by the pinned
// TypeScript itself, so "inside a string" means what tsc and every JavaScript engine will read.
//
//   node string_positions.cjs MARKER_REGEX file.ts file.tsx ... -> JSON on stdout:
//   {"file.ts": {"diagnostics": [...], "markers": [{"marker", "offset", "kind", "line"}]}}
"use strict";
const fs = require("fs");
const ts = require("typescript");

const [pattern, ...files] = process.argv.slice(2);
const marker = new RegExp(pattern, "g");
const result = {};

for (const file of files) {
  const text = fs.readFileSync(file, "utf8");
  const kind = file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const ranges = []; // [start, end, kind]: the inside of a literal or a comment
  const seenComments = new Set();
  const comments = (list) => {
    for (const c of list || []) {
      if (!seenComments.has(c.pos)) {
        seenComments.add(c.pos);
        ranges.push([c.pos, c.end, "comment"]);
      }
    }
  };
  const visit = (node) => {
    comments(ts.getLeadingCommentRanges(text, node.pos));
    comments(ts.getTrailingCommentRanges(text, node.end));
    switch (node.kind) {
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TemplateHead:
      case ts.SyntaxKind.TemplateMiddle:
      case ts.SyntaxKind.TemplateTail:
        // The quotes are not inside: a marker must sit strictly between them.
        ranges.push([node.getStart(source) + 1, node.end - 1, ts.SyntaxKind[node.kind]]);
        break;
      case ts.SyntaxKind.RegularExpressionLiteral:
        ranges.push([node.getStart(source) + 1, node.end - 1, "RegularExpressionLiteral"]);
        break;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  comments(ts.getLeadingCommentRanges(text, source.endOfFileToken.pos));
  const markers = [];
  for (const match of text.matchAll(marker)) {
    const offset = match.index;
    const inside = ranges.find(([start, end]) => start <= offset && offset + match[0].length <= end);
    markers.push({
      marker: match[0],
      offset,
      kind: inside ? inside[2] : "code",
      line: source.getLineAndCharacterOfPosition(offset).line + 1,
    });
  }
  result[file] = {
    diagnostics: source.parseDiagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    markers,
  };
}
process.stdout.write(JSON.stringify(result));
