/// Versions stamped on every record so readers can tell what they are reading.
public enum Schema {
    /// Version of vdm's own record layout (`vdm.schema`). Bump on any incompatible change.
    public static let version = 1
    /// The ECS version the records follow (`ecs.version`).
    public static let ecsVersion = "8.11.0"
    /// `service.name` on every record; also the journald/syslog identifier.
    public static let serviceName = "vandamme-proxy"
}
