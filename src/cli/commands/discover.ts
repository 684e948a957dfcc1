/**
 * `tokentool discover --issuer URL`: the issuer's discovery document, validated, with what
 * the server supports and its signing keys.
 * @module
 */
import type { Command } from 'commander'
import { UsageError } from '../../errors.js'
import { discover } from '../../oauth/discover.js'
import { renderDiscover } from '../../render/discover.js'
import type { Deps } from '../deps.js'

export function register(parent: Command, deps: Deps): Command {
  return parent
    .command('discover')
    .description(
      'Fetch and validate an issuer\'s discovery document: endpoints, supported grants and features, signing keys',
    )
    .option('--issuer <url>', 'the issuer URL (the "iss" of its tokens), e.g. https://login.example.com')
    .option('--resource <url>', "a protected resource's URL: show its RFC 9728 metadata instead")
    .argument('[issuer]', 'the issuer URL, as an alternative to --issuer')
    .addHelpText(
      'after',
      `
Reads <issuer>/.well-known/openid-configuration (RFC 8414's
/.well-known/oauth-authorization-server when that is 404), checks that its "issuer" is
exactly the URL given and that every endpoint is https (http only on loopback), then
fetches the JWKS and prints each key's RFC 7638 thumbprint. A clock difference with the
issuer (HTTP Date) larger than 60s is reported as a warning. Exit 3 when the server is
unreachable, the document is not JSON, or it fails validation.

Examples:
  $ tokentool discover --issuer https://accounts.google.com
  $ tokentool discover --issuer https://login.microsoftonline.com/common/v2.0 --json | jq .supports
  $ tokentool -v discover --issuer http://127.0.0.1:3000     # trace the HTTP exchanges
  $ tokentool discover --resource https://mcp.example.com/mcp  # RFC 9728 protected resource metadata
`,
    )
    .action(async (positional: string | undefined, o: { issuer?: string; resource?: string }) => {
      if (o.resource !== undefined) {
        if (o.issuer || positional) throw new UsageError('give either --issuer or --resource, not both')
        const { fetchResourceMetadata } = await import('../../oauth/resource-metadata.js')
        const { renderResourceMetadata } = await import('../../render/resource-metadata.js')
        const found = await fetchResourceMetadata(o.resource, deps)
        renderResourceMetadata(deps.io, { resource: o.resource, metadataUrl: found.url, via: found.via, metadata: found.metadata, warnings: found.warnings }, { json: deps.global.json })
        return
      }
      if (o.issuer && positional && o.issuer !== positional) {
        throw new UsageError('give the issuer once: either --issuer URL or as an argument')
      }
      const issuer = o.issuer ?? positional
      if (!issuer) throw new UsageError('--issuer is required (e.g. --issuer https://login.example.com)')
      renderDiscover(deps.io, await discover(issuer, deps), { json: deps.global.json })
    })
}
