import HubBus
import HubStorage

/// The networks service. Its domain (see its README and issue) is built on this
/// foundation; today it registers with the broker, owns its own database and
/// answers the runtime's `networks.info`.
public enum NetworksService {
    public static let name = "networks"
    public static let migrations: [Migration] = []
    public static func definition() -> ServiceDefinition {
        ServiceDefinition(name: name, migrations: migrations, handlers: [:])
    }
}
