// SPDX-License-Identifier: UNLICENSED
// Sijill anchoring contract: records that a clinic's Merkle log had a given root at a
// given size, under the batch id the outbox derived from (origin, tree size, root).
//
// Written for Ethereum and Hyperledger Besu alike: compiled for the 'paris' EVM (no
// PUSH0), no payable paths, no external calls, no upgradeability.
pragma solidity ^0.8.20;

contract SijillAnchor {
    struct Anchor {
        bytes32 root;
        uint64 treeSize;
        // Block 0 is the genesis block, which no transaction can be in: 0 means "absent".
        uint64 blockNumber;
        address submitter;
    }

    /// Emitted once per batch id, by the call that first records it.
    event Anchored(bytes32 indexed batchId, bytes32 root, uint64 treeSize, address submitter);
    event SubmitterSet(address indexed account, bool allowed);

    /// The batch id is already anchored with another root or tree size. Retrying cannot help.
    error ConflictingAnchor(bytes32 batchId, bytes32 anchoredRoot, uint64 anchoredTreeSize);
    /// The caller is not on the allow-list of a restricted deployment.
    error NotSubmitter(address account);
    error NotOwner(address account);

    address public immutable owner;
    /// Set at deployment: permissioned (e.g. national) chains admit only listed accounts.
    bool public immutable restricted;
    mapping(address => bool) public isSubmitter;

    mapping(bytes32 => Anchor) private _anchors;

    constructor(bool restrictSubmitters) {
        owner = msg.sender;
        restricted = restrictSubmitters;
        if (restrictSubmitters) {
            isSubmitter[msg.sender] = true;
            emit SubmitterSet(msg.sender, true);
        }
    }

    /// Records (root, treeSize) under batchId. Calling again with the same data is a
    /// successful no-op without a second event, so a retried or duplicated transaction
    /// is harmless; the same batchId with different data reverts.
    function anchor(bytes32 batchId, bytes32 root, uint64 treeSize) external {
        if (restricted && !isSubmitter[msg.sender]) revert NotSubmitter(msg.sender);
        Anchor storage existing = _anchors[batchId];
        if (existing.blockNumber != 0) {
            if (existing.root == root && existing.treeSize == treeSize) return;
            revert ConflictingAnchor(batchId, existing.root, existing.treeSize);
        }
        _anchors[batchId] = Anchor(root, treeSize, uint64(block.number), msg.sender);
        emit Anchored(batchId, root, treeSize, msg.sender);
    }

    /// The anchor recorded under batchId; blockNumber 0 when there is none.
    function anchors(bytes32 batchId)
        external
        view
        returns (bytes32 root, uint64 treeSize, uint64 blockNumber, address submitter)
    {
        Anchor storage a = _anchors[batchId];
        return (a.root, a.treeSize, a.blockNumber, a.submitter);
    }

    function setSubmitter(address account, bool allowed) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        isSubmitter[account] = allowed;
        emit SubmitterSet(account, allowed);
    }
}
