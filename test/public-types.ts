import { relative, resolve } from 'node:path'
import ts from 'typescript'
import { packagePaths } from './readme/snippets.js'

export interface PublicTypes {
  /** Every named type of this repository reachable from an entry's exports, with one entry that reaches it. */
  reachable: Map<ts.Symbol, string>
  /** The symbols some entry exports (aliases resolved). */
  exported: Set<ts.Symbol>
  /** What the module at `path` (relative to the root) exports, aliases resolved. */
  exportsOf(path: string): ts.Symbol[]
  /** `name (file)` for reports. */
  describe(symbol: ts.Symbol): string
}

/**
 * Walks the types of the package's exports (package.json `exports`, mapped to src/):
 * parameters, results, properties, type arguments, constraints, unions. A type declared
 * outside the repository (lib, hono, stripe) is not entered, only its type arguments.
 */
export function publicTypes(root: string): PublicTypes {
  const entries = Object.entries(packagePaths(resolve(root, 'package.json'), root)).map(([name, [path]]) => [name, path!] as const)
  const options = ts.parseJsonConfigFileContent(ts.readConfigFile(resolve(root, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, root).options
  const program = ts.createProgram(entries.map(([, path]) => path), { ...options, noEmit: true })
  const checker = program.getTypeChecker()
  const unalias = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol)
  const inRepo = (symbol: ts.Symbol | undefined) =>
    symbol?.declarations?.some((d) => !d.getSourceFile().fileName.includes('/node_modules/') && d.getSourceFile().fileName.startsWith(root)) ?? false
  const named = (symbol: ts.Symbol) => (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum)) !== 0

  const exported = new Set<ts.Symbol>()
  const reachable = new Map<ts.Symbol, string>()
  const seen = new Set<ts.Type>()
  let entry = ''

  function visitSymbol(symbol: ts.Symbol) {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0]
    if (declaration === undefined) return
    // Private members are no part of the signature a user writes against.
    if (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Private) return
    if (symbol.flags & (ts.SymbolFlags.Value | ts.SymbolFlags.Property | ts.SymbolFlags.Method)) visitType(checker.getTypeOfSymbolAtLocation(symbol, declaration))
    if (symbol.flags & (ts.SymbolFlags.Type & ~ts.SymbolFlags.TypeParameter)) visitType(checker.getDeclaredTypeOfSymbol(symbol))
  }

  function note(symbol: ts.Symbol | undefined): boolean {
    if (symbol === undefined || !inRepo(symbol)) return false
    if (named(symbol) && !reachable.has(symbol)) reachable.set(symbol, entry)
    return true
  }

  function visitSignature(signature: ts.Signature) {
    for (const parameter of signature.typeParameters ?? []) visitType(parameter)
    for (const parameter of signature.parameters) visitSymbol(parameter)
    visitType(checker.getReturnTypeOfSignature(signature))
  }

  function visitType(type: ts.Type) {
    if (seen.has(type)) return
    seen.add(type)
    for (const argument of type.aliasTypeArguments ?? []) visitType(argument)
    const ownAlias = note(type.aliasSymbol)
    if (type.aliasSymbol && !ownAlias) return
    if (type.isUnionOrIntersection()) return type.types.forEach(visitType)
    if (type.flags & ts.TypeFlags.TypeParameter) {
      const constraint = checker.getBaseConstraintOfType(type)
      if (constraint && constraint !== type) visitType(constraint)
      return
    }
    if (type.flags & ts.TypeFlags.Object) {
      const object = type as ts.ObjectType
      if (object.objectFlags & ts.ObjectFlags.Reference) checker.getTypeArguments(object as ts.TypeReference).forEach(visitType)
      const anonymous = ts.SymbolFlags.TypeLiteral | ts.SymbolFlags.ObjectLiteral
      if (!ownAlias && type.symbol && !(type.symbol.flags & anonymous) && !note(type.symbol)) return
      for (const property of checker.getPropertiesOfType(type)) visitSymbol(property)
      for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) visitSignature(signature)
      for (const info of checker.getIndexInfosOfType(type)) visitType(info.type)
      return
    }
    // Conditional and indexed-access types: their parts are what a user names.
    if (type.flags & ts.TypeFlags.Conditional) {
      const conditional = type as ts.ConditionalType
      for (const part of [conditional.checkType, conditional.extendsType]) visitType(part)
    }
    if (type.flags & ts.TypeFlags.IndexedAccess) {
      const indexed = type as ts.IndexedAccessType
      for (const part of [indexed.objectType, indexed.indexType]) visitType(part)
    }
  }

  const exportsOf = (path: string) => checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(resolve(root, path))!)!).map(unalias)
  for (const [, path] of entries) for (const symbol of exportsOf(path)) exported.add(symbol)
  for (const [name, path] of entries) {
    entry = name
    exportsOf(path).forEach(visitSymbol)
  }
  const describe = (symbol: ts.Symbol) => `${symbol.name} (${relative(root, symbol.declarations![0]!.getSourceFile().fileName)})`
  return { reachable, exported, exportsOf, describe }
}
