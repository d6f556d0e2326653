// The Alloy-syntax builder and our parser agree with each other and with the documented syntax.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attr, block, bool, call, comment, component, formatAlloy, list, nul, num, obj, raw, ref, str, stringMap, toIdentifier } from '../../../src/render/configs/alloy-syntax.js';
import { AlloyCall, AlloyParseError, AlloyRef, blockAt, componentGraph, parseAlloy } from '../../support/alloy-parser.js';

describe('alloy syntax: builder → text → parser', () => {
  it('round-trips strings, numbers, bools, null, lists, objects, references, calls and nested blocks', () => {
    const tricky = 'a "quoted" \\ back\nslash\ttab é';
    const exp = component('otelcol.exporter.otlp', 'tempo_dev', [block('client', [attr('endpoint', str('tempo:4317'))])]);
    const text = formatAlloy({
      header: ['header line'],
      body: [
        attr('log_level', str('info')),
        comment('a comment'),
        component('otelcol.receiver.otlp', 'default', [
          attr('s', str(tricky)),
          attr('r', raw('resource.attributes["k"] != "v"')),
          attr('n', num(1.5)),
          attr('i', num(-3)),
          attr('b', bool(false)),
          attr('z', nul),
          attr('empty', list([])),
          attr('l', list([str('x'), num(2)])),
          attr('o', obj([['plain', str('p')], ['dotted.key', num(1)], ['nested', obj({ deep: list([bool(true)]) })]])),
          attr('h', stringMap({ 'X-Scope-OrgID': 'tenant', Accept: '*/*' })),
          attr('c', call('sys.env', str('HOME'))),
          block('output', [attr('traces', list([exp.export('input')]))]),
        ]).block,
        exp.block,
      ],
    });
    const f = parseAlloy(text);
    assert.equal(f.attrs.get('log_level'), 'info');
    const rx = f.blocks.find((b) => b.name === 'otelcol.receiver.otlp')!;
    assert.equal(rx.label, 'default');
    assert.equal(rx.attrs.get('s'), tricky);
    assert.equal(rx.attrs.get('r'), 'resource.attributes["k"] != "v"');
    assert.equal(rx.attrs.get('n'), 1.5);
    assert.equal(rx.attrs.get('i'), -3);
    assert.equal(rx.attrs.get('b'), false);
    assert.equal(rx.attrs.get('z'), null);
    assert.deepEqual(rx.attrs.get('empty'), []);
    assert.deepEqual(rx.attrs.get('l'), ['x', 2]);
    assert.deepEqual(rx.attrs.get('o'), { plain: 'p', 'dotted.key': 1, nested: { deep: [true] } });
    assert.deepEqual(rx.attrs.get('h'), { Accept: '*/*', 'X-Scope-OrgID': 'tenant' });
    const c = rx.attrs.get('c');
    assert.ok(c instanceof AlloyCall && c.fn === 'sys.env' && c.args[0] === 'HOME');
    const out = blockAt(rx, 'output')!.attrs.get('traces') as AlloyRef[];
    assert.equal(out[0]!.toString(), 'otelcol.exporter.otlp.tempo_dev.input');
    const g = componentGraph(f);
    assert.deepEqual(g.edges, [{ from: 'otelcol.receiver.otlp.default', to: 'otelcol.exporter.otlp.tempo_dev', field: 'input', at: 'output.traces' }]);
    assert.match(text, /^\/\/ header line\n/);
    assert.equal(formatAlloy({ header: [], body: [exp.block] }), 'otelcol.exporter.otlp "tempo_dev" {\n\tclient {\n\t\tendpoint = "tempo:4317"\n\t}\n}\n');
  });

  // alloy fmt's layout (Go's tabwriter, as gofmt): tabs, and `=` aligned within a section of consecutive
  // attributes that a multi-line value closes; the real Alloy 1.12.0's `alloy fmt` leaves the bundled examples'
  // rendered configurations byte-identical (checked locally, it is not in CI)
  it('aligns the = of consecutive attributes, indents with tabs', () => {
    const text = formatAlloy({ header: [], body: [block('b', [attr('a', num(1)), attr('longer', num(2))])] });
    assert.equal(text, 'b {\n\ta      = 1\n\tlonger = 2\n}\n');
  });
  it('a multi-line value closes its alignment section: the attribute after it aligns anew', () => {
    const text = formatAlloy({ header: [], body: [block('rule', [attr('action', str('keep')), attr('source_labels', list([str('a'), str('b')])), attr('regex', str('x')), attr('target_label', str('job'))])] });
    assert.equal(text, 'rule {\n\taction        = "keep"\n\tsource_labels = [\n\t\t"a",\n\t\t"b",\n\t]\n\tregex        = "x"\n\ttarget_label = "job"\n}\n');
    const o = formatAlloy({ header: [], body: [attr('o', obj([['k', list([str('a'), str('b')])], ['longer', num(1)], ['z', num(2)]]))] });
    assert.equal(o, 'o = {\n\tk = [\n\t\t"a",\n\t\t"b",\n\t],\n\tlonger = 1,\n\tz      = 2,\n}\n');
  });

  it('refuses what is not Alloy syntax', () => {
    assert.throws(() => attr('not-an-ident', num(1)), /identifier/);
    assert.throws(() => block('x', [], 'bad label'), /identifier/);
    assert.throws(() => raw('has ` backtick'), /backtick/);
    assert.throws(() => ref('a', '1b'), /identifier/);
    assert.throws(() => num(Number.NaN), /finite/);
    assert.equal(toIdentifier('ca7f8f-dev'), 'ca7f8f_dev');
    assert.equal(toIdentifier('1x'), '_1x');
  });
});

describe('alloy syntax: parser', () => {
  it('reads comments, trailing commas, quoted object keys and the documented escapes', () => {
    const f = parseAlloy(['/* block', 'comment */', 'a = [', '  1,', '  2,', '] // trailing', 'o = { "k.k" = "\\x41\\u00e9\\101", q = `raw\\n` }', 'x.y "l" { }', ''].join('\n'));
    assert.deepEqual(f.attrs.get('a'), [1, 2]);
    assert.deepEqual(f.attrs.get('o'), { 'k.k': 'AéA', q: 'raw\\n' });
    assert.equal(f.blocks[0]!.name, 'x.y');
  });

  it('reports errors with line and column', () => {
    const bad: Array<[string, RegExp]> = [
      ['a = [1\n]', /missing ","/],
      ['b {\n  x = 1\n', /missing "}"/],
      ['a = 1 b = 2', /expected a newline/],
      ['a = 1 == 1', /operators/],
      ['x "not ident" {}', /not an identifier/],
      ['a = 1\na = 2', /set twice/],
      ['a = "unterminated', /unterminated/],
    ];
    for (const [src, re] of bad) {
      assert.throws(() => parseAlloy(src), (e: unknown) => e instanceof AlloyParseError && re.test(e.message) && /^\d+:\d+: /.test(e.message), src);
    }
  });

  it('the component graph refuses dangling references', () => {
    const f = parseAlloy('a.b "x" {\n  out = [c.d.y.input]\n}\n');
    assert.throws(() => componentGraph(f), /no component c\.d\.y/);
  });
});
