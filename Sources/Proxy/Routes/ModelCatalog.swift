package import LogPipeline

/// What `GET /v1/models` lists: the configured aliases and the models they resolve to. vdm lists what
/// it is configured with and does not ask the providers (no upstream call, no key used per listing).
///
/// Every id, sent back as a request's `model`, resolves to what the entry says: an alias is listed
/// by its name (`provider:name` outside the default provider), a target as `provider:model`, or as
/// `!provider:model` when an alias would otherwise catch it. At most `ModelAliases.maxAliases` × 2
/// entries, each string redacted and within `RecordBounds.maxModelBytes` (plus the prefix).
package struct ModelCatalog: Sendable, Equatable {
    package struct Entry: Sendable, Equatable {
        package var id: String
        /// The alias and where it leads, or the model name.
        package var displayName: String
        package var provider: String

        package init(id: String, displayName: String, provider: String) {
            self.id = id
            self.displayName = displayName
            self.provider = provider
        }
    }

    package let entries: [Entry]

    package init(registry: ProviderRegistry, redactor: Redactor) {
        var entries: [Entry] = []
        var targets: [String: Entry] = [:]
        for alias in registry.aliases.all.sorted(by: { ($0.provider, $0.name) < ($1.provider, $1.name) }) {
            let id = alias.provider == registry.defaultProvider ? alias.name : alias.provider + ":" + alias.name
            let target = alias.finalProvider + ":" + alias.finalModel
            entries.append(Entry(id: id, displayName: "\(id) → \(target)", provider: alias.provider))
            if targets[target] == nil {
                let exact: Bool
                if case .resolved(let provider, let model, _) = registry.resolve(target) {
                    exact = provider.name == alias.finalProvider && model == alias.finalModel
                } else {
                    exact = false
                }
                targets[target] = Entry(id: exact ? target : "!" + target, displayName: alias.finalModel, provider: alias.finalProvider)
            }
        }
        entries += targets.keys.sorted().compactMap { targets[$0] }
        self.entries = entries.map {
            Entry(id: redactor.redact($0.id), displayName: redactor.redact($0.displayName), provider: redactor.redact($0.provider))
        }
    }

    /// OpenAI's list: `{"object":"list","data":[{"id","object":"model","created":0,"owned_by"}]}`.
    package var openAI: JSONValue {
        let data: [JSONValue] = entries.map { entry in
            ["id": .string(entry.id), "object": "model", "created": 0, "owned_by": .string(entry.provider)]
        }
        return ["object": "list", "data": .array(data)]
    }

    /// Anthropic's list: `{"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}`.
    /// vdm does not know when a model was created: the epoch.
    package var anthropic: JSONValue {
        let data: [JSONValue] = entries.map { entry in
            ["type": "model", "id": .string(entry.id), "display_name": .string(entry.displayName), "created_at": "1970-01-01T00:00:00Z"]
        }
        let first: JSONValue = entries.first.map { .string($0.id) } ?? .null
        let last: JSONValue = entries.last.map { .string($0.id) } ?? .null
        return ["data": .array(data), "has_more": false, "first_id": first, "last_id": last]
    }
}
