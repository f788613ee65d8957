import HubBus
import HubStorage

/// The training service. Its domain (see its README and issue) is built on this
/// foundation; today it registers with the broker, owns its own database and
/// answers the runtime's `training.info`.
public enum TrainingService {
    public static let name = "training"
    public static let migrations: [Migration] = []
    public static func definition() -> ServiceDefinition {
        ServiceDefinition(name: name, migrations: migrations, handlers: [:])
    }
}
