// oidc-provider ships no types (DefinitelyTyped's lag behind v9); the fixture uses it untyped.
declare module 'oidc-provider'
