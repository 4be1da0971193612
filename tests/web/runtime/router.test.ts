import { describe, expect, it } from "vitest";
import { href, parseHash } from "../runtime/web/router.js";

describe("the hash router", () => {
  it("reads home, a list and a row's page", () => {
    expect(parseHash("")).toEqual({ kind: "home" });
    expect(parseHash("#/")).toEqual({ kind: "home" });
    expect(parseHash("#/offices")).toEqual({ kind: "list", path: "offices" });
    expect(parseHash("#/offices/a%2Fb")).toEqual({ kind: "detail", path: "offices", id: "a/b" });
  });

  it("writes hashes it reads back", () => {
    expect(href("offices")).toBe("#/offices");
    expect(href("offices", 12)).toBe("#/offices/12");
    expect(parseHash(href("offices", "x y/z"))).toEqual({ kind: "detail", path: "offices", id: "x y/z" });
  });

  it("keeps a malformed escape as it is", () => {
    expect(parseHash("#/offices/%E0%A4%A")).toEqual({ kind: "detail", path: "offices", id: "%E0%A4%A" });
  });
});
