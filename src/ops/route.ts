// Op builders for routes: route.add, route.replace, route.del, route.list.
//
// `to` is 'default', a prefix ('10.2.0.0/16') or a host ('10.2.0.7'). The
// helper picks the scope the way `ip route` does when none is given.

import { isIP } from 'node:net';

import { badArgument } from '../errors.js';
import type {
  LinkRef, Route, RouteAddOp, RouteDelOp, RouteListOp, RouteReplaceOp,
} from '../wire/types.js';
import { checkCidr } from './addr.js';
import {
  checkInteger, checkLink, checkOptions, checkString, copyArguments, makeOp,
  type ListResult, type Op,
} from './op.js';

export interface RouteOptions {
  /** 'default', a prefix or a host address. */
  to: string;
  /** The gateway. */
  via?: string;
  /** The output link. */
  dev?: LinkRef;
  metric?: number;
  /** Default: main. */
  table?: number | 'main' | 'local';
  /** Default: link for a route with dev and no via, else universe. */
  scope?: 'universe' | 'link' | 'host' | number;
  /** The preferred source address. */
  src?: string;
  /** Needed only for to: 'default' without via. */
  family?: 4 | 6;
}

export interface RouteListOptions {
  /** Default: main. */
  table?: number | 'main' | 'local' | 'all';
  family?: 4 | 6;
}

/** Adds a route; EEXIST if it is there already. */
function add(r: RouteOptions): Op<void> {
  return makeOp(routeArguments('route.add', r) as unknown as RouteAddOp);
}

/** Adds a route or replaces the one with the same destination. */
function replace(r: RouteOptions): Op<void> {
  return makeOp(routeArguments('route.replace', r) as unknown as RouteReplaceOp);
}

/** Deletes a route. */
function del(r: RouteOptions): Op<void> {
  return makeOp(routeArguments('route.del', r) as unknown as RouteDelOp);
}

/** Answers the routes of a table (main by default, or 'all'). */
function list(options: RouteListOptions = {}): Op<ListResult<Route>> {
  const op = 'route.list';
  const out = copyArguments(op, checkOptions(op, 'options', options));
  if (out['table'] !== undefined) checkTable(op, out['table'], true);
  if (out['family'] !== undefined) checkFamily(op, out['family']);
  return makeOp(out as unknown as RouteListOp);
}

export const route = { add, replace, del, list };

/** The checked arguments of a route op, `op` included. */
function routeArguments(op: string, r: RouteOptions): Record<string, unknown> {
  const out = copyArguments(op, checkOptions(op, 'route', r));
  const to = checkString(op, 'to', out['to']);
  if (to !== 'default') checkCidrAs(op, 'to', to);
  if (out['via'] !== undefined) checkAddress(op, 'via', out['via']);
  if (out['src'] !== undefined) checkAddress(op, 'src', out['src']);
  if (out['dev'] !== undefined) checkLink(op, 'dev', out['dev']);
  if (out['metric'] !== undefined) checkInteger(op, 'metric', out['metric'], 0, 0xffffffff);
  if (out['table'] !== undefined) checkTable(op, out['table'], false);
  if (out['family'] !== undefined) checkFamily(op, out['family']);
  const scope = out['scope'];
  if (scope !== undefined && typeof scope !== 'number' &&
    scope !== 'universe' && scope !== 'link' && scope !== 'host') {
    throw badArgument(op, 'scope', "'universe', 'link', 'host' or a number", scope);
  }
  if (typeof scope === 'number') checkInteger(op, 'scope', scope, 0, 255);
  return out;
}

function checkCidrAs(op: string, argument: string, value: string): void {
  try {
    checkCidr(op, value);
  } catch {
    throw badArgument(op, argument, "'default', a prefix like '10.2.0.0/16' or an address",
      value);
  }
}

function checkAddress(op: string, argument: string, value: unknown): void {
  if (typeof value !== 'string' || isIP(value) === 0) {
    throw badArgument(op, argument, 'an IP address without a prefix length', value);
  }
}

function checkTable(op: string, table: unknown, all: boolean): void {
  if (table === 'main' || table === 'local' || (all && table === 'all')) return;
  if (typeof table === 'number') {
    checkInteger(op, 'table', table, 0, 0xffffffff);
    return;
  }
  throw badArgument(op, 'table', `'main', 'local'${all ? ", 'all'" : ''} or a number`, table);
}

function checkFamily(op: string, family: unknown): void {
  if (family !== 4 && family !== 6) throw badArgument(op, 'family', '4 or 6', family);
}
