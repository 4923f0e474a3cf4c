//! Shroud example contract `snip20` (CosmWasm v1): a compact but real SNIP-20 token — transfer, send with a
//! `Receive` callback (a Wasm sub-message carrying the receiver's code hash), allowances, viewing keys, transfer
//! history, SNIP-24 query permits (checked with the host's `secp256k1_verify`) and 256-byte answer padding.

pub mod msg;
pub mod permit;
pub mod state;
mod transfer;

use cosmwasm_std::{
    entry_point, to_binary, Binary, CanonicalAddr, Deps, DepsMut, Env, MessageInfo, Response, StdError,
    StdResult, Uint128,
};
use sha2::{Digest, Sha256};

use crate::msg::{
    ExecuteAnswer, ExecuteMsg, InstantiateMsg, Permission, QueryAnswer, QueryMsg, QueryWithPermit, ResponseStatus,
    TokenInfo,
};
use crate::state::Config;

/// Answers are padded with spaces to a multiple of this, so their length leaks less (SNIP-20 reference
/// `RESPONSE_BLOCK_SIZE`).
pub const BLOCK_SIZE: usize = 256;
const VIEWING_KEY_PREFIX: &str = "api_key_";
const WRONG_KEY: &str = "Wrong viewing key for this address or viewing key not set";

fn pad(mut bytes: Vec<u8>) -> Binary {
    let missing = (BLOCK_SIZE - bytes.len() % BLOCK_SIZE) % BLOCK_SIZE;
    bytes.resize(bytes.len() + missing, b' ');
    Binary(bytes)
}

fn answer(response: Response, answer: &ExecuteAnswer) -> StdResult<Response> {
    Ok(response.set_data(pad(to_binary(answer)?.0)))
}

#[entry_point]
pub fn instantiate(deps: DepsMut, _env: Env, _info: MessageInfo, msg: InstantiateMsg) -> StdResult<Response> {
    if msg.decimals > 18 {
        return Err(StdError::generic_err("decimals must not exceed 18"));
    }
    let mut total: u128 = 0;
    for initial in &msg.initial_balances {
        let account = deps.api.addr_canonicalize(&initial.address)?;
        let next = state::balance(deps.storage, &account)
            .checked_add(initial.amount.u128())
            .ok_or_else(|| StdError::generic_err("initial balance overflow"))?;
        state::set_balance(deps.storage, &account, next);
        total = total.checked_add(initial.amount.u128()).ok_or_else(|| StdError::generic_err("supply overflow"))?;
    }
    let config = Config {
        name: msg.name,
        symbol: msg.symbol,
        decimals: msg.decimals,
        total_supply: total,
        prng_seed: Sha256::digest(msg.prng_seed.as_slice()).to_vec(),
    };
    state::save_config(deps.storage, &config)?;
    Ok(Response::new().add_attribute("action", "instantiate"))
}

#[entry_point]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    let ok = ResponseStatus::Success;
    match msg {
        ExecuteMsg::Transfer { recipient, amount, memo, .. } => {
            transfer::transfer(deps, &env, &info, recipient, amount, memo)?;
            answer(Response::new(), &ExecuteAnswer::Transfer { status: ok })
        }
        ExecuteMsg::Send { recipient, recipient_code_hash, amount, msg, memo, .. } => {
            let r = transfer::send(deps, &env, &info, None, recipient, recipient_code_hash, amount, msg, memo)?;
            answer(r, &ExecuteAnswer::Send { status: ok })
        }
        ExecuteMsg::RegisterReceive { code_hash, .. } => {
            let me = deps.api.addr_canonicalize(info.sender.as_str())?;
            state::set_receiver_hash(deps.storage, &me, &code_hash);
            answer(Response::new(), &ExecuteAnswer::RegisterReceive { status: ok })
        }
        ExecuteMsg::IncreaseAllowance { spender, amount, expiration, .. } => {
            let (owner, spender, allowance) = transfer::change_allowance(deps, &info, spender, amount, expiration, true)?;
            answer(Response::new(), &ExecuteAnswer::IncreaseAllowance { spender, owner, allowance })
        }
        ExecuteMsg::DecreaseAllowance { spender, amount, expiration, .. } => {
            let (owner, spender, allowance) = transfer::change_allowance(deps, &info, spender, amount, expiration, false)?;
            answer(Response::new(), &ExecuteAnswer::DecreaseAllowance { spender, owner, allowance })
        }
        ExecuteMsg::TransferFrom { owner, recipient, amount, memo, .. } => {
            transfer::transfer_from(deps, &env, &info, owner, recipient, amount, memo)?;
            answer(Response::new(), &ExecuteAnswer::TransferFrom { status: ok })
        }
        ExecuteMsg::SendFrom { owner, recipient, recipient_code_hash, amount, msg, memo, .. } => {
            let r = transfer::send(deps, &env, &info, Some(owner), recipient, recipient_code_hash, amount, msg, memo)?;
            answer(r, &ExecuteAnswer::SendFrom { status: ok })
        }
        ExecuteMsg::SetViewingKey { key, .. } => {
            let me = deps.api.addr_canonicalize(info.sender.as_str())?;
            state::set_viewing_key_hash(deps.storage, &me, &hash_key(&key));
            answer(Response::new(), &ExecuteAnswer::SetViewingKey { status: ok })
        }
        ExecuteMsg::CreateViewingKey { entropy, .. } => {
            let key = create_viewing_key(deps, &env, &info, &entropy)?;
            answer(Response::new(), &ExecuteAnswer::CreateViewingKey { key })
        }
        ExecuteMsg::RevokePermit { permit_name, .. } => {
            let me = deps.api.addr_canonicalize(info.sender.as_str())?;
            state::revoke_permit(deps.storage, &me, &permit_name);
            answer(Response::new(), &ExecuteAnswer::RevokePermit { status: ok })
        }
    }
}

fn hash_key(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// New key = "api_key_" ‖ base64(sha256(seed ‖ sender ‖ height ‖ time ‖ entropy)); the seed then advances, so
/// two calls in one block with the same entropy still differ.
fn create_viewing_key(deps: DepsMut, env: &Env, info: &MessageInfo, entropy: &str) -> StdResult<String> {
    let mut config = state::load_config(deps.storage)?;
    let digest = Sha256::new()
        .chain_update(&config.prng_seed)
        .chain_update(info.sender.as_bytes())
        .chain_update(env.block.height.to_be_bytes())
        .chain_update(env.block.time.nanos().to_be_bytes())
        .chain_update(entropy.as_bytes())
        .finalize();
    config.prng_seed = Sha256::new().chain_update(&config.prng_seed).chain_update(digest).finalize().to_vec();
    state::save_config(deps.storage, &config)?;
    let key = format!("{}{}", VIEWING_KEY_PREFIX, Binary::from(digest.as_slice()).to_base64());
    let me = deps.api.addr_canonicalize(info.sender.as_str())?;
    state::set_viewing_key_hash(deps.storage, &me, &hash_key(&key));
    Ok(key)
}

/// Constant-time comparison of a presented key with the stored hash.
fn key_matches(deps: Deps, account: &CanonicalAddr, key: &str) -> bool {
    let presented = hash_key(key);
    match state::viewing_key_hash(deps.storage, account) {
        Some(stored) if stored.len() == presented.len() => {
            stored.iter().zip(presented.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }
        _ => false,
    }
}

#[entry_point]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    let result = match msg {
        QueryMsg::TokenInfo {} => {
            let config = state::load_config(deps.storage)?;
            QueryAnswer::TokenInfo(TokenInfo {
                name: config.name,
                symbol: config.symbol,
                decimals: config.decimals,
                total_supply: Some(Uint128::new(config.total_supply)),
            })
        }
        QueryMsg::Balance { address, key } => with_key(deps, &address, &key, QueryWithPermit::Balance {})?,
        QueryMsg::TransferHistory { address, key, page, page_size } => {
            with_key(deps, &address, &key, QueryWithPermit::TransferHistory { page, page_size })?
        }
        QueryMsg::Allowance { owner, spender, key } => {
            let q = QueryWithPermit::Allowance { owner: owner.clone(), spender: spender.clone() };
            match with_key(deps, &owner, &key, q.clone()) {
                Ok(QueryAnswer::ViewingKeyError { .. }) => with_key(deps, &spender, &key, q)?,
                other => other?,
            }
        }
        QueryMsg::WithPermit { permit, query } => {
            let needed = match query {
                QueryWithPermit::Balance {} => Permission::Balance,
                QueryWithPermit::TransferHistory { .. } => Permission::History,
                QueryWithPermit::Allowance { .. } => Permission::Allowance,
            };
            let me = env.contract.address.as_str();
            let signer = permit::verify(deps.api, deps.storage, &permit, me, &env.block.chain_id, needed)?;
            authorized_query(deps, &signer, query)?
        }
    };
    Ok(pad(to_binary(&result)?.0))
}

fn with_key(deps: Deps, address: &str, key: &str, query: QueryWithPermit) -> StdResult<QueryAnswer> {
    let account = deps.api.addr_canonicalize(address)?;
    if !key_matches(deps, &account, key) {
        return Ok(QueryAnswer::ViewingKeyError { msg: WRONG_KEY.to_string() });
    }
    authorized_query(deps, &account, query)
}

/// Runs `query` for `account`, which has already proven it may read its own data.
fn authorized_query(deps: Deps, account: &CanonicalAddr, query: QueryWithPermit) -> StdResult<QueryAnswer> {
    match query {
        QueryWithPermit::Balance {} => {
            Ok(QueryAnswer::Balance { amount: Uint128::new(state::balance(deps.storage, account)) })
        }
        QueryWithPermit::TransferHistory { page, page_size } => Ok(QueryAnswer::TransferHistory {
            txs: state::history_page(deps.storage, account, page.unwrap_or(0), page_size)?,
            total: Some(state::history_len(deps.storage, account)?),
        }),
        QueryWithPermit::Allowance { owner, spender } => {
            let owner_c = deps.api.addr_canonicalize(&owner)?;
            let spender_c = deps.api.addr_canonicalize(&spender)?;
            if *account != owner_c && *account != spender_c {
                return Err(StdError::generic_err("Cannot query allowance: neither owner nor spender"));
            }
            let allowance = state::allowance(deps.storage, &owner_c, &spender_c)?;
            Ok(QueryAnswer::Allowance {
                spender: deps.api.addr_humanize(&spender_c)?,
                owner: deps.api.addr_humanize(&owner_c)?,
                allowance: Uint128::new(allowance.amount),
                expiration: allowance.expiration,
            })
        }
    }
}
