/**
 * A small, real subset of the Kusto query language Azure Resource Graph accepts, evaluated over rows: a table name,
 * then `| where`, `| mv-expand`, `| project` and `| extend`. Expressions: column paths (properties.a.b), string
 * literals, (..) lists, the operators == != =~ !~ has contains in in~ !in !in~, and/or, parentheses. Anything else is refused
 * with the parser's position, as Resource Graph refuses it.
 */
export type Row = Record<string, unknown>;

export class QueryError extends Error {
  constructor(
    message: string,
    readonly token: string,
    readonly position: number,
  ) {
    super(message);
    this.name = "QueryError";
  }
}

type Token = { kind: "word" | "string" | "op" | "punct"; text: string; at: number };

const OPERATORS = ["!in~", "in~", "!in", "==", "!=", "=~", "!~", "has", "contains", "in"];

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const end = query.indexOf(ch, i + 1);
      if (end < 0) throw new QueryError("Unterminated string literal.", query.slice(i), i);
      tokens.push({ kind: "string", text: query.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const symbol = ["!in~", "!in", "==", "!=", "=~", "!~"].find((o) => query.startsWith(o, i));
    if (symbol) {
      tokens.push({ kind: "op", text: symbol, at: i });
      i += symbol.length;
      continue;
    }
    if ("|(),=".includes(ch)) {
      tokens.push({ kind: "punct", text: ch, at: i });
      i++;
      continue;
    }
    const word = /^[A-Za-z_][\w.-]*/.exec(query.slice(i));
    if (!word) throw new QueryError(`Unexpected character '${ch}'.`, ch, i);
    // mv-expand is one word; a trailing '-' or '.' belongs to no name.
    let text = word[0].replace(/[.-]+$/, "");
    if (text === "in" && query[i + 2] === "~") text = "in~";
    tokens.push({ kind: OPERATORS.includes(text) ? "op" : "word", text, at: i });
    i += text.length;
  }
  return tokens;
}

type Expr =
  | { kind: "column"; path: string[] }
  | { kind: "literal"; value: string }
  | { kind: "list"; items: Expr[] }
  | { kind: "compare"; op: string; left: Expr; right: Expr }
  | { kind: "logic"; op: "and" | "or"; left: Expr; right: Expr };

type Stage =
  | { kind: "where"; predicate: Expr }
  | { kind: "mv-expand"; name: string; source: Expr }
  | { kind: "project"; columns: { name: string; expr: Expr }[] }
  | { kind: "extend"; columns: { name: string; expr: Expr }[] };

export interface ParsedQuery {
  table: string;
  stages: Stage[];
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): ParsedQuery {
    const table = this.expect("word").text;
    const stages: Stage[] = [];
    while (this.peek()) {
      this.expectText("|");
      const op = this.expect("word");
      switch (op.text) {
        case "where":
          stages.push({ kind: "where", predicate: this.orExpr() });
          break;
        case "mv-expand": {
          const { name, expr } = this.assignment();
          stages.push({ kind: "mv-expand", name, source: expr });
          break;
        }
        case "project":
        case "extend":
          stages.push({ kind: op.text, columns: this.assignments() });
          break;
        default:
          throw new QueryError(`The operator '${op.text}' is not supported here.`, op.text, op.at);
      }
      if (this.peek() && this.peek()!.text !== "|") this.fail(this.peek()!);
    }
    return { table, stages };
  }

  private assignments(): { name: string; expr: Expr }[] {
    const out = [this.assignment()];
    while (this.peek()?.text === ",") {
      this.i++;
      out.push(this.assignment());
    }
    return out;
  }

  private assignment(): { name: string; expr: Expr } {
    const first = this.expect("word");
    if (this.peek()?.text === "=") {
      this.i++;
      return { name: first.text, expr: this.primary() };
    }
    const path = first.text.split(".");
    return { name: path[path.length - 1]!, expr: { kind: "column", path } };
  }

  private orExpr(): Expr {
    let left = this.andExpr();
    while (this.peek()?.text === "or") {
      this.i++;
      left = { kind: "logic", op: "or", left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): Expr {
    let left = this.comparison();
    while (this.peek()?.text === "and") {
      this.i++;
      left = { kind: "logic", op: "and", left, right: this.comparison() };
    }
    return left;
  }

  private comparison(): Expr {
    if (this.peek()?.text === "(") {
      this.i++;
      const inner = this.orExpr();
      this.expectText(")");
      return inner;
    }
    const left = this.primary();
    const op = this.expect("op");
    return { kind: "compare", op: op.text, left, right: this.primary() };
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === "string") return { kind: "literal", value: t.text };
    if (t.kind === "word") return { kind: "column", path: t.text.split(".") };
    if (t.text === "(") {
      const items: Expr[] = [this.primary()];
      while (this.peek()?.text === ",") {
        this.i++;
        items.push(this.primary());
      }
      this.expectText(")");
      return { kind: "list", items };
    }
    return this.fail(t);
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new QueryError("The query ends too early.", "<end>", -1);
    return t;
  }
  private expect(kind: Token["kind"]): Token {
    const t = this.next();
    return t.kind === kind ? t : this.fail(t);
  }
  private expectText(text: string): void {
    const t = this.next();
    if (t.text !== text) this.fail(t);
  }
  private fail(t: Token): never {
    throw new QueryError(`Unexpected '${t.text}'.`, t.text, t.at);
  }
}

export function parseQuery(query: string): ParsedQuery {
  return new Parser(tokenize(query)).parse();
}

function valueOf(expr: Expr, row: Row): unknown {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "list":
      return expr.items.map((e) => valueOf(e, row));
    case "column":
      return expr.path.reduce<unknown>(
        (v, key) => (v !== null && typeof v === "object" ? (v as Row)[key] : undefined),
        row,
      );
    case "logic": {
      const l = truthy(valueOf(expr.left, row));
      return expr.op === "and" ? l && truthy(valueOf(expr.right, row)) : l || truthy(valueOf(expr.right, row));
    }
    case "compare":
      return compare(expr.op, valueOf(expr.left, row), valueOf(expr.right, row));
  }
}

const truthy = (v: unknown): boolean => v === true;
const text = (v: unknown): string =>
  typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);

function compare(op: string, left: unknown, right: unknown): boolean {
  const l = text(left);
  const list = Array.isArray(right) ? right.map(text) : [text(right)];
  switch (op) {
    case "==":
      return l === list[0];
    case "!=":
      return l !== list[0];
    case "=~":
      return l.toLowerCase() === list[0]!.toLowerCase();
    case "!~":
      return l.toLowerCase() !== list[0]!.toLowerCase();
    case "has":
      // Kusto's has matches whole terms, case-insensitively.
      return l
        .toLowerCase()
        .split(/[^a-z0-9_]+/)
        .includes(list[0]!.toLowerCase());
    case "contains":
      return l.toLowerCase().includes(list[0]!.toLowerCase());
    case "in":
      return list.includes(l);
    case "!in":
      return !list.includes(l);
    case "in~":
      return list.some((x) => x.toLowerCase() === l.toLowerCase());
    case "!in~":
      return !list.some((x) => x.toLowerCase() === l.toLowerCase());
    default:
      return false;
  }
}

/** Runs the stages over the table's rows. */
export function evaluate(parsed: ParsedQuery, rows: readonly Row[]): Row[] {
  let out: Row[] = [...rows];
  for (const stage of parsed.stages) {
    switch (stage.kind) {
      case "where":
        out = out.filter((r) => truthy(valueOf(stage.predicate, r)));
        break;
      case "mv-expand":
        // A row whose array is empty or missing expands to no rows.
        out = out.flatMap((r) => {
          const items = valueOf(stage.source, r);
          return Array.isArray(items) ? items.map((item) => ({ ...r, [stage.name]: item as unknown })) : [];
        });
        break;
      case "project":
        out = out.map((r) => Object.fromEntries(stage.columns.map((c) => [c.name, valueOf(c.expr, r)])));
        break;
      case "extend":
        out = out.map((r) => ({ ...r, ...Object.fromEntries(stage.columns.map((c) => [c.name, valueOf(c.expr, r)])) }));
        break;
    }
  }
  return out;
}
