// Type tests: compiled with `npx tsc -p test/tsconfig.json` and never run.
// Each `@ts-expect-error` line must fail to type-check; the rest must pass.

import {
  addr, link, Namespace, NsdoError, route, withNamespace,
  type Address, type Helper, type Link, type ListResult, type NamespaceScope, type Op,
  type Route,
} from '../src/index.js';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expectType<T>(_value: T): void { /* type-level only */ }
function assertEqual<A, B>(_proof: Equal<A, B>): void { /* type-level only */ }

export async function batches(ns: Namespace, helper: Helper): Promise<void> {
  // A batch's results are a tuple typed op by op.
  const [l, a] = await withNamespace(ns, [link.list(), addr.list()]);
  assertEqual<typeof l, ListResult<Link>>(true);
  assertEqual<typeof a, ListResult<Address>>(true);
  expectType<boolean>(l.interrupted);
  expectType<string>(a[0]!.address);

  const [added, got, routes] = await withNamespace('/run/netns/blue', [
    link.add({ name: 'b0', type: 'veth', peer: { name: 'r0', namespace: ns } }),
    link.get('b0'),
    route.list({ table: 'all' }),
  ], { helper });
  assertEqual<typeof added, void>(true);
  assertEqual<typeof got, Link>(true);
  assertEqual<typeof routes, ListResult<Route>>(true);

  // A pid is a target too.
  const [one] = await withNamespace(1, [link.get(1)]);
  expectType<number>(one.index);

  // With `continue: true` a slot may hold the op's NsdoError.
  const [maybe] = await withNamespace(ns, [link.get('b0')], { continue: true });
  assertEqual<typeof maybe, Link | NsdoError>(true);

  // An array built at run time gives an array of the results.
  const ops: Op<Link>[] = ['a', 'b'].map((name) => link.get(name));
  const links = await withNamespace(ns, ops);
  assertEqual<typeof links, Link[]>(true);

  // @ts-expect-error a list of links is not a list of addresses
  const wrong: ListResult<Address> = l;
  void wrong;

  // @ts-expect-error the batch has two results, not three
  const [, , third] = await withNamespace(ns, [link.list(), addr.list()]);
  void third;

  // @ts-expect-error a hand-made map is not an Op: ops come from the builders
  await withNamespace(ns, [{ op: 'link.list' }]);

  // @ts-expect-error link.add needs a type
  link.add({ name: 'b0' });

  // @ts-expect-error a route needs `to`
  route.add({ via: '10.0.0.1' });

  // @ts-expect-error a boolean is not a namespace target
  await withNamespace(true, [link.list()]);

  // @ts-expect-error route.add's table is a number, 'main' or 'local', not 'all'
  route.add({ to: 'default', table: 'all' });

  // @ts-expect-error `continue` is a boolean
  await withNamespace(ns, [link.list()], { continue: 1 });
}

export async function callbacks(ns: Namespace): Promise<void> {
  const count = await withNamespace(ns, async (scope) => {
    expectType<NamespaceScope>(scope);
    expectType<Namespace>(scope.namespace);
    const b0 = await scope.link.get('b0');
    assertEqual<typeof b0, Link>(true);
    if (!b0.up) await scope.link.set('b0', { up: true, master: null });
    const [routes, none] = await scope.run([route.list(), addr.add('b0', '10.1.0.1/24')]);
    assertEqual<typeof routes, ListResult<Route>>(true);
    assertEqual<typeof none, void>(true);
    // @ts-expect-error link.get answers one Link, not a list
    const list: ListResult<Link> = await scope.link.get('b0');
    void list;
    return routes.length;
  });
  assertEqual<typeof count, number>(true);
}

export async function namespaces(): Promise<void> {
  const blue = await Namespace.create('blue', { dir: '/run/netns' });
  expectType<string | undefined>(blue.name);
  expectType<string>(blue.id);
  const all = await Namespace.list();
  expectType<Namespace[]>(all);
  {
    await using temp = await Namespace.temporary();
    await withNamespace(temp, [link.list()]);
  }
  // @ts-expect-error handles come from the static methods
  new Namespace();
  // @ts-expect-error fromPid takes a number
  await Namespace.fromPid('1');
  await blue.delete();
}

export function errors(error: unknown): void {
  if (error instanceof NsdoError) {
    expectType<string>(error.code);
    expectType<number | undefined>(error.errno);
    expectType<unknown[]>(error.results);
  }
}

export async function atomicBatches(ns: Namespace): Promise<void> {
  // An atomic batch answers like any batch.
  const [got, none] = await withNamespace(ns, [link.get('b0'), link.del('b0')],
    { atomic: true });
  assertEqual<typeof got, Link>(true);
  assertEqual<typeof none, void>(true);

  try {
    await withNamespace(ns, [link.del('b0')], { atomic: true, signal: AbortSignal.timeout(1) });
  } catch (error) {
    if (error instanceof NsdoError) {
      expectType<boolean | undefined>(error.undone);
      expectType<NsdoError[] | undefined>(error.undoErrors);
      expectType<string | undefined>(error.undoErrors?.[0]?.code);
    }
  }

  // @ts-expect-error `atomic` is a boolean
  await withNamespace(ns, [link.list()], { atomic: 'yes' });
}
