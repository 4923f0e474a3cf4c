//! JSON messages of the `snip20` contract, following the SNIP-20 / SNIP-24 reference shapes
//! (https://github.com/SecretFoundation/SNIPs SNIP-20.md, SNIP-24.md). Every execute accepts `padding`.

use cosmwasm_std::{Addr, Binary, Uint128};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct InitialBalance {
    pub address: String,
    pub amount: Uint128,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct InstantiateMsg {
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    #[serde(default)]
    pub initial_balances: Vec<InitialBalance>,
    pub prng_seed: Binary,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExecuteMsg {
    Transfer { recipient: String, amount: Uint128, memo: Option<String>, padding: Option<String> },
    Send {
        recipient: String,
        recipient_code_hash: Option<String>,
        amount: Uint128,
        msg: Option<Binary>,
        memo: Option<String>,
        padding: Option<String>,
    },
    RegisterReceive { code_hash: String, padding: Option<String> },
    IncreaseAllowance { spender: String, amount: Uint128, expiration: Option<u64>, padding: Option<String> },
    DecreaseAllowance { spender: String, amount: Uint128, expiration: Option<u64>, padding: Option<String> },
    TransferFrom { owner: String, recipient: String, amount: Uint128, memo: Option<String>, padding: Option<String> },
    SendFrom {
        owner: String,
        recipient: String,
        recipient_code_hash: Option<String>,
        amount: Uint128,
        msg: Option<Binary>,
        memo: Option<String>,
        padding: Option<String>,
    },
    SetViewingKey { key: String, padding: Option<String> },
    CreateViewingKey { entropy: String, padding: Option<String> },
    RevokePermit { permit_name: String, padding: Option<String> },
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    Success,
}

/// Execute answers (placed in `Response.data`, padded to 256-byte blocks).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExecuteAnswer {
    Transfer { status: ResponseStatus },
    Send { status: ResponseStatus },
    RegisterReceive { status: ResponseStatus },
    IncreaseAllowance { spender: Addr, owner: Addr, allowance: Uint128 },
    DecreaseAllowance { spender: Addr, owner: Addr, allowance: Uint128 },
    TransferFrom { status: ResponseStatus },
    SendFrom { status: ResponseStatus },
    SetViewingKey { status: ResponseStatus },
    CreateViewingKey { key: String },
    RevokePermit { status: ResponseStatus },
}

/// The message a `send` delivers to the recipient contract (SNIP-20 `Receive`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReceiverMsg {
    Receive { sender: Addr, from: Addr, amount: Uint128, memo: Option<String>, msg: Option<Binary> },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QueryMsg {
    TokenInfo {},
    Balance { address: String, key: String },
    TransferHistory { address: String, key: String, page: Option<u32>, page_size: u32 },
    Allowance { owner: String, spender: String, key: String },
    WithPermit { permit: Permit, query: QueryWithPermit },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QueryWithPermit {
    Balance {},
    TransferHistory { page: Option<u32>, page_size: u32 },
    Allowance { owner: String, spender: String },
}

/// SNIP-24 permit: an Amino-signed `query_permit` document (never broadcast, only verified here).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Permit {
    pub params: PermitParams,
    pub signature: PermitSignature,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PermitParams {
    pub allowed_tokens: Vec<String>,
    pub permit_name: String,
    pub chain_id: String,
    pub permissions: Vec<Permission>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Allowance,
    Balance,
    History,
    Owner,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PermitSignature {
    pub pub_key: PubKey,
    pub signature: Binary,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PubKey {
    /// Always "tendermint/PubKeySecp256k1".
    pub r#type: String,
    pub value: Binary,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Tx {
    pub id: u64,
    pub from: Addr,
    pub sender: Addr,
    pub receiver: Addr,
    pub coins: TxCoin,
    pub memo: Option<String>,
    pub block_time: u64,
    pub block_height: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TxCoin {
    pub denom: String,
    pub amount: Uint128,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    pub total_supply: Option<Uint128>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QueryAnswer {
    TokenInfo(TokenInfo),
    Balance { amount: Uint128 },
    TransferHistory { txs: Vec<Tx>, total: Option<u64> },
    Allowance { spender: Addr, owner: Addr, allowance: Uint128, expiration: Option<u64> },
    ViewingKeyError { msg: String },
}
