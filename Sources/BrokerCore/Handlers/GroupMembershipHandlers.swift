import KafkaProtocol
import NIOCore

/// JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ListGroups and DescribeGroups: the wire side of
/// the `GroupCoordinator`. JoinGroup and SyncGroup may wait (for the other members, for the
/// leader): they are answered as held responses, so the event loop never blocks and the
/// connection's responses stay in request order.
extension RequestDispatcher {
    /// The member's session timeout, and its rebalance timeout (v0 has none: the session's).
    func joinGroup(_ request: KafkaRequest, on eventLoop: any EventLoop) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try JoinGroupRequest(from: &body, version: request.header.apiVersion)
        let session = Duration.milliseconds(Int64(decoded.sessionTimeoutMs))
        let rebalance = decoded.rebalanceTimeoutMs > 0 ? Duration.milliseconds(Int64(decoded.rebalanceTimeoutMs)) : session
        let join = ConsumerGroup.JoinRequest(
            memberID: decoded.memberID, groupInstanceID: decoded.groupInstanceID,
            clientID: request.header.clientID ?? "", clientHost: request.clientHost, sessionTimeout: session,
            rebalanceTimeout: rebalance, protocolType: decoded.protocolType,
            protocols: decoded.protocols.map { (name: $0.name, metadata: $0.metadata) })
        let header = request.header
        let joined =
            coordinatesGroups
            ? node.groups.join(groupID: decoded.groupID, join, on: eventLoop)
            : eventLoop.makeSucceededFuture(.failure(.notCoordinator))
        let answer = joined.flatMapThrowing { result in
            try self.frame(
                JoinGroupResponse(
                    errorCode: self.answered(result.errorCode), generationID: result.generationID,
                    protocolName: result.protocolName, leader: result.leaderID, memberID: result.memberID,
                    members: result.members.map {
                        JoinGroupResponse.Member(memberID: $0.memberID, groupInstanceID: $0.groupInstanceID, metadata: $0.metadata)
                    }),
                answering: header)
        }
        return .held(answer)
    }

    func syncGroup(_ request: KafkaRequest, on eventLoop: any EventLoop) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try SyncGroupRequest(from: &body, version: request.header.apiVersion)
        let header = request.header
        let synced =
            coordinatesGroups
            ? node.groups.sync(
                groupID: decoded.groupID, memberID: decoded.memberID, generationID: decoded.generationID,
                assignments: decoded.assignments.map { (memberID: $0.memberID, assignment: $0.assignment) },
                on: eventLoop)
            : eventLoop.makeSucceededFuture(ConsumerGroup.SyncResult(errorCode: .notCoordinator, assignment: []))
        let answer = synced.flatMapThrowing { result in
            try self.frame(
                SyncGroupResponse(errorCode: self.answered(result.errorCode), assignment: result.assignment),
                answering: header)
        }
        return .held(answer)
    }

    func heartbeat(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try HeartbeatRequest(from: &body, version: request.header.apiVersion)
        let code =
            coordinatesGroups
            ? node.groups.heartbeat(groupID: decoded.groupID, memberID: decoded.memberID, generationID: decoded.generationID)
            : .notCoordinator
        return .response(try frame(HeartbeatResponse(errorCode: answered(code)), answering: request.header))
    }

    func leaveGroup(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try LeaveGroupRequest(from: &body, version: request.header.apiVersion)
        let codes =
            coordinatesGroups
            ? node.groups.leave(groupID: decoded.groupID, memberIDs: decoded.members.map(\.memberID))
            : decoded.members.map { _ in KafkaErrorCode.notCoordinator }
        let members = zip(decoded.members, codes).map { member, code in
            LeaveGroupResponse.Member(memberID: member.memberID, groupInstanceID: member.groupInstanceID, errorCode: code)
        }
        // v0–2 answer for their one member in the top-level code; v3+ per member.
        let topLevel: KafkaErrorCode =
            !coordinatesGroups ? .notCoordinator : request.header.apiVersion < 3 ? codes.first ?? .unknownMemberId : .none
        return .response(
            try frame(LeaveGroupResponse(errorCode: answered(topLevel), members: members), answering: request.header))
    }

    /// Groups with members, and groups that only have committed offsets: with the protocol
    /// type their last members had when this broker saw them, else "" (offsets committed
    /// without a group, or before a restart).
    func listGroups(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        _ = try ListGroupsRequest(from: &body, version: request.header.apiVersion)
        var listed: [String: String] = [:]
        let withOffsets = node.committedOffsets.groupIDs
        let former = node.groups.formerProtocolTypes(withOffsets)
        for groupID in withOffsets { listed[groupID] = former[groupID] ?? "" }
        for group in node.groups.snapshot() { listed[group.groupID] = group.protocolType ?? "" }
        let groups = listed.sorted { $0.key < $1.key }.map { ListGroupsResponse.Group(groupID: $0.key, protocolType: $0.value) }
        return .response(try frame(ListGroupsResponse(groups: groups), answering: request.header))
    }

    /// A group without members is described as `Empty` when it has committed offsets (with
    /// the protocol type its last members had, as `listGroups`) and `Dead` when the broker
    /// knows nothing of it (Kafka's answers).
    func describeGroups(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try DescribeGroupsRequest(from: &body, version: request.header.apiVersion)
        let known = Dictionary(
            node.groups.snapshot(decoded.groups).map { ($0.groupID, $0) }, uniquingKeysWith: { first, _ in first })
        let withOffsets = Set(node.committedOffsets.groupIDs)
        let former = node.groups.formerProtocolTypes(decoded.groups.filter { known[$0] == nil && withOffsets.contains($0) })
        let groups = decoded.groups.map { groupID -> DescribeGroupsResponse.Group in
            guard coordinatesGroups else {
                return DescribeGroupsResponse.Group(errorCode: answered(.notCoordinator), groupID: groupID)
            }
            guard let group = known[groupID] else {
                return DescribeGroupsResponse.Group(
                    errorCode: .none, groupID: groupID, groupState: withOffsets.contains(groupID) ? "Empty" : "Dead",
                    protocolType: former[groupID] ?? "", protocolData: "", members: [])
            }
            let protocolName = group.protocolName ?? ""
            return DescribeGroupsResponse.Group(
                errorCode: .none, groupID: groupID, groupState: group.state.rawValue,
                protocolType: group.protocolType ?? "",
                protocolData: group.state == .preparingRebalance ? "" : protocolName,
                members: group.members.map { member in
                    DescribeGroupsResponse.Member(
                        memberID: member.memberID, groupInstanceID: member.groupInstanceID, clientID: member.clientID,
                        clientHost: member.clientHost, memberMetadata: member.metadata(for: protocolName),
                        memberAssignment: member.assignment)
                })
        }
        return .response(try frame(DescribeGroupsResponse(groups: groups), answering: request.header))
    }
}

extension RequestDispatcher {
    /// DeleteGroups: each group without members is forgotten and its committed offsets removed
    /// (Kafka deletes Empty and Dead groups only). Answered per group: NON_EMPTY_GROUP while it
    /// has members, GROUP_ID_NOT_FOUND when nothing is known of it, INVALID_GROUP_ID,
    /// NOT_COORDINATOR on a broker of a cluster map that does not coordinate groups, and
    /// GROUP_AUTHORIZATION_FAILED when `admin-requests` is off. Without it, librdkafka's
    /// `AdminClient.delete_consumer_groups` (confluent-kafka 2.16) aborted its process on a
    /// failed assertion, and kafka-python's `delete_groups` was refused. A failed file removal
    /// answers UNKNOWN_SERVER_ERROR (the group is then kept, or — when only the removal's fsync
    /// failed — deleted but perhaps not durably: `GroupCoordinator.delete`). Blocking file I/O:
    /// runs on the storage executor, without the coordinator's lock, so other groups' requests
    /// do not wait for it.
    func deleteGroups(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        let decoded = try DeleteGroupsRequest(from: &body, version: request.header.apiVersion)
        let results = decoded.groupsNames.map { groupID in
            DeleteGroupsResponse.Result(groupID: groupID, errorCode: answered(deleteGroup(groupID)))
        }
        return .response(try frame(DeleteGroupsResponse(results: results), answering: request.header))
    }

    private func deleteGroup(_ groupID: String) -> KafkaErrorCode {
        guard configuration.adminRequests != .off else { return .groupAuthorizationFailed }
        guard coordinatesGroups else { return .notCoordinator }
        guard !groupID.isEmpty, groupID.utf8.count <= CommittedOffsetStore.maxGroupIDBytes else {
            return .invalidGroupID
        }
        do {
            switch try node.groups.delete(groupID: groupID, committedOffsets: node.committedOffsets) {
            case .deleted:
                logger.info("group deleted by request", metadata: ["group": "\(groupID)"])
                return .none
            case .notFound: return .groupIDNotFound
            case .hasMembers: return .nonEmptyGroup
            }
        } catch {
            logger.error(
                "group deletion failed",
                metadata: [
                    "group": "\(groupID)", "deleted": "\(error.groupIsDeleted)", "error": "\(error.storageError)",
                ])
            return .unknownServerError
        }
    }
}
