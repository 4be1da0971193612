// Parse Mermaid entity-relationship diagrams with Mermaid's own parser.
// stdin: a JSON array of diagram sources. stdout: a JSON array, one result per diagram:
// {"error": message} or {"entities": [...], "relationships": [...]} as Mermaid's ER database
// holds them (strings still carry Mermaid's entity placeholders: tests decode them).
import mermaid from "mermaid";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const sources = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = [];
for (const source of sources) {
  try {
    await mermaid.parse(source); // registers the diagram types, and throws on a syntax error
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
    const entities = [...diagram.db.getEntities().entries()].map(([name, entity]) => ({
      name,
      alias: entity.alias,
      attributes: entity.attributes.map((a) => ({
        type: a.type,
        name: a.name,
        keys: a.keys,
        comment: a.comment,
      })),
    }));
    const byId = new Map([...diagram.db.getEntities().entries()].map(([n, e]) => [e.id, n]));
    const relationships = diagram.db.getRelationships().map((r) => ({
      parent: byId.get(r.entityA) ?? r.entityA,
      child: byId.get(r.entityB) ?? r.entityB,
      role: r.roleA,
      cardinality: [r.relSpec.cardA, r.relSpec.cardB],
      identifying: r.relSpec.relType === "IDENTIFYING",
    }));
    results.push({ entities, relationships });
  } catch (error) {
    results.push({ error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
