//! JSON messages of the `callbacks` contract (see contracts/README.md for examples).

use cosmwasm_std::{Binary, Coin, CosmosMsg, Uint128};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct InstantiateMsg {
    #[serde(default)]
    pub count: u64,
    /// When true, instantiate returns an error (tests failing sub-instantiations).
    #[serde(default)]
    pub fail: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReplyOnMsg {
    Always,
    Success,
    Error,
    Never,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExecuteMsg {
    Increment {},
    CallContract {
        contract: String,
        code_hash: String,
        msg: Binary,
        id: u64,
        reply_on: ReplyOnMsg,
        #[serde(default)]
        funds: Vec<Coin>,
        /// The sub-message's own gas limit (SDK gas; absent = it shares the caller's meter).
        #[serde(default)]
        gas_limit: Option<u64>,
    },
    InstantiateContract {
        code_id: u64,
        code_hash: String,
        msg: Binary,
        label: String,
        id: u64,
        reply_on: ReplyOnMsg,
        #[serde(default)]
        funds: Vec<Coin>,
    },
    QueryContract { contract: String, code_hash: String, msg: Binary },
    SendFunds { to: String, amount: Vec<Coin> },
    EmitEvent { value: String },
    Random {},
    Fail { message: String },
    IncrementThenFail {},
    Panic {},
    /// Sends `msgs` (any CosmosMsg: bank, staking, distribution, gov, stargate, wasm) from the contract as is.
    Dispatch { msgs: Vec<CosmosMsg> },
    /// Sends one CosmosMsg as a sub-message with the given reply id, `reply_on` and optional gas limit.
    DispatchSub {
        msg: CosmosMsg,
        id: u64,
        reply_on: ReplyOnMsg,
        #[serde(default)]
        gas_limit: Option<u64>,
    },
    /// SNIP-20 `Receive` callback (from the snip20 example's `send`); fails when `msg` is base64("fail").
    Receive { sender: String, from: String, amount: Uint128, memo: Option<String>, msg: Option<Binary> },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QueryMsg {
    State {},
    Echo { value: String },
    QueryContract { contract: String, code_hash: String, msg: Binary },
    /// Queries itself `depth` times; answers `depth` when every level succeeded.
    Recurse { depth: u32, code_hash: String },
    Fail { message: String },
    /// Sends `request` (a JSON `QueryRequest`, e.g. staking or stargate) to the chain as is; answers its bytes.
    ChainQuery { request: Binary },
    /// The events of the last ok reply that had any (`[]` when none had).
    ReplyEvents {},
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LastReply {
    pub id: u64,
    pub ok: bool,
    pub data: Option<Binary>,
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StateResponse {
    pub count: u64,
    pub last_reply: Option<LastReply>,
    pub random: Option<Binary>,
}
